"""The only package that runs git.  Everything else gets plain data from it.

Modules, by job (nothing outside this package starts a git process;
``tests/test_layers.py`` checks it):

* :mod:`~modelgov.git.refs` -- the few files of ``.git`` read in Python: refs,
  ``HEAD``, ``packed-refs``, ``shallow`` (no git process);
* :mod:`~modelgov.git.sandbox` -- where and how git runs: the shadow git dir,
  the environment, the time limit, the checks of the files git would block on;
  :class:`SharedShadow` for an audit worker;
* :mod:`~modelgov.git.catfile` -- the ``cat-file --batch`` protocol (one
  process per repository) and tree objects parsed;
* :mod:`~modelgov.git.odb` -- the object store's files (loose objects, packs)
  read in Python, answering as ``cat-file --batch`` would; the audit's
  :class:`GitRepo` uses it first and git for whatever it is not sure of;
  imported on first use (``modelgov check`` never loads it);
* :mod:`~modelgov.git.walk` -- the history walk of every model.yaml at once
  (``git log`` streamed, or a short history read from objects), judged into
  the records of :mod:`modelgov.facts.history`; imported on first use;
* :mod:`~modelgov.git.repo` -- the :class:`GitRepo` facade composing the
  above, and finding repositories;
* :mod:`~modelgov.git.remote` -- URLs and bare clones for ``audit --manifest``;
  not imported here (``modelgov check`` never loads it): import it by name;
* :mod:`~modelgov.git.build` -- makes the repository of a policy test case
  with a ``history:`` (the only module here that writes one); not imported
  here either.

Design: the repository's own configuration is never trusted
-----------------------------------------------------------
modelgov checks repositories it did not write (an auditor's thousand repos, a
pull request from a fork).  A repository's ``.git/config`` -- and any file an
``include.path`` in it names -- can set keys that make git run programs:
``core.fsmonitor``, ``core.hooksPath``, ``core.pager``, ``diff.external``,
``diff.*.textconv``, ``filter.*``, ``gpg.program``, ``core.sshCommand``,
``credential.helper``, aliases, and more in every release.  Chasing those
keys one by one is a race we would lose, so modelgov never lets git read the
repository's configuration at all:

* Every git process runs with ``GIT_DIR`` pointing at a private *shadow*
  directory that modelgov creates in a temporary folder.  The shadow holds a
  config file written by modelgov (bare, no fsmonitor, no untracked cache),
  ``HEAD`` and ``packed-refs`` with the repository's refs as read in Python
  (:mod:`~modelgov.git.refs`: plain files, size-capped, no symlinks
  followed), a copy of ``shallow`` and ``info/exclude``, and nothing else.
* ``GIT_OBJECT_DIRECTORY`` points at the repository's object store, which is
  pure data (objects, packs, commit-graph, alternates).
* ``GIT_CONFIG_NOSYSTEM=1`` and ``GIT_CONFIG_GLOBAL=/dev/null``: neither the
  machine's nor the user's config applies either, so results do not depend
  on who runs modelgov.  ``HOME`` and ``XDG_CONFIG_HOME`` point at the shadow.
* ``GIT_NO_REPLACE_OBJECTS=1``, and the shadow has no ``refs/replace`` and no
  ``info/grafts``: replace refs and grafts cannot forge the history judged.
* ``GIT_NO_LAZY_FETCH=1`` and ``GIT_TERMINAL_PROMPT=0``: reading a partial
  clone never reaches the network, and nothing ever prompts.
* Inherited ``GIT_*`` variables are dropped; a pre-commit run's
  ``GIT_INDEX_FILE`` is passed on explicitly where the index is read.
* Every process has a time limit and is started with an argument list, never
  a shell, with ``--end-of-options`` before user-given revisions.

Since the repository's config file is never opened by git, an ``include``
of a FIFO or an endless file cannot hang modelgov; the only bytes of
``.git`` modelgov reads itself are ``HEAD``, refs, ``packed-refs``,
``shallow``, ``commondir`` and ``info/exclude``, each as a regular file with a
size cap.  The shadow is owned by the running user, so git's ``safe.directory``
ownership check does not get in the way of an auditor either.

The files git still opens in the repository -- the object store (loose
objects, packs and their indexes, ``commit-graph``, ``info/alternates`` and the
stores it names), the index, and the work tree's ``.gitignore`` files -- are
opened by git with a blocking ``open()``.  Before git runs, modelgov lists
them (directory entries only, nothing opened) and refuses the repository with
a clear error when one is a FIFO, a device or a broken link, so such a file
cannot stall git until its time limit or feed it bytes without end
(:func:`~modelgov.git.sandbox.check_object_store`,
:func:`~modelgov.git.sandbox.special_ignore_file`).

Git never writes into the repository: the commands used (``ls-files``,
``cat-file``, ``rev-parse``, ``rev-list``, ``log``) are read-only, optional
locks are disabled, and the index is only read.
"""

from __future__ import annotations

from .repo import GitRepo, TreeEntry, find_git_dir, is_bare_repo, iter_repos, user_identity
from .sandbox import SharedShadow

__all__ = [
    "GitRepo",
    "SharedShadow",
    "TreeEntry",
    "find_git_dir",
    "is_bare_repo",
    "iter_repos",
    "user_identity",
]
