"""The engine: judge a target -- load, facts, rules, waivers -- into typed results.

Every command that judges models goes through here: ``check`` and ``policy
test`` through :func:`.paths.judge_path`, ``audit`` through
:func:`.judge.judge_target` on the workspace it opened from git objects.

* :mod:`.workspace`  a path as a repository (or folder) and a view of its files
* :mod:`.discovery`  which model.yaml files a workspace holds
* :mod:`.configs`    which config governs each model
* :mod:`.policies`   the policy each config asks for, resolved once
* :mod:`.factpass`   load the models, compute the facts their rules read
* :mod:`.judge`      run the rules, apply the waivers, build the results
* :mod:`.paths`      the paths a user names, as targets
"""
