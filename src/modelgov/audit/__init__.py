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
  objects, judged with every rule of ``check``: plain JSON-ready rows.
* :mod:`.runner` -- processes, progress bar, resume journal.
* :mod:`.report` -- rows to the org report (summary, JSON, shard merge).
* :mod:`.render` -- table, json, csv, markdown, html.
"""
