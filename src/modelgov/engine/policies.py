"""The policy a config asks for, resolved once per (config, ``--policy``) pair."""

from __future__ import annotations

from pathlib import Path

from ..config import Config
from ..policy import Policy, load_policy
from ..registry import full as full_registry


class Policies:
    """Resolves and caches the policy of each config.

    ``override`` is ``--policy``: it replaces every config's pack (relative to
    the working directory, and trusted); the configs' rule overrides still
    apply on top of it.
    """

    def __init__(self, override: str | None = None) -> None:
        self.override = override
        self._cache: dict[tuple[str, str | None], Policy] = {}

    def get(self, config: Config) -> Policy:
        ref = self.override or config.policy
        key = (config.label, ref)
        if key not in self._cache:
            self._cache[key] = load_policy(
                ref,
                full_registry(),
                relative_to=Path.cwd() if self.override else config.folder,
                overrides=config.overrides,
                overrides_label=config.label,
                confine=None if self.override else config.confine,
            )
        return self._cache[key]

    def resolved(self) -> list[Policy]:
        """The policies resolved so far, in the order they were first asked for."""
        return list(self._cache.values())
