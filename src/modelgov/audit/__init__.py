"""``modelgov audit``: every model of an organisation in one trustworthy report.

The pipeline, one module per step (nothing here imports anything heavy at
module level; ``modelgov check`` never imports this package):

* :mod:`.discovery` -- PATH arguments and ``--manifest`` entries become
  :class:`~.discovery.RepoSpec` values (repos found in folders, bare or not;
  URLs validated); ``--shard K/N`` keeps a stable 1/N of them.
* :mod:`.cache` -- URLs are cloned bare (partial) into the cache dir once and
  fetched on later runs; all git calls are in :mod:`modelgov.git`.
* :mod:`.tighten` -- the org policy plus what a repo's own config may add.
* :mod:`.heuristics` -- ML artifacts and training code no model.yaml covers.
* :mod:`.judge` -- one repository at its audited commit, read from git
  objects, judged with every rule of ``check``: typed rows (:mod:`.rows`);
  :mod:`.identity` tells which folders are copies of one repository.
* :mod:`.runner` -- processes, progress bar, resume journal.
* :mod:`.report` -- rows to the org report (summary, framework view, copies
  folded, JSON, shard merge).
* :mod:`.columns` -- the one column table every format reads.
* :mod:`.render` -- table, json, csv, csv-findings, markdown, html.
* :mod:`.diff` -- ``audit diff``: two reports compared.
* :mod:`.history` -- ``--history``: runs appended to SQLite, trends read back.
"""
