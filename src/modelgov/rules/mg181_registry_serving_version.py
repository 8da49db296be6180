"""What serves is the version the declaration (and its approvals) cover.

``deploy.version`` says which version this declaration, its rollback plan and
its signed approvals are about.  When the registry's serving alias has moved to
another version -- deployed without a review of the declaration, or rolled
forward past what was approved -- the declaration describes something that is
not running.  Judged only with ``--registry``: the version the serving alias
resolves to must equal ``deploy.version`` (compared as text, so write the
registry's version number, e.g. ``"7"``); a ``deploy.version`` of the form
``sha256:<hex>`` matches a version whose ``digest`` (or ``sha256``,
``artifact_digest``, ``model_digest``) tag holds that digest.

Fails:
    deploy:
      version: "7"     # the registry serves version 9 under champion

Passes:
    deploy:
      version: "9"     # champion -> 9

Fix: Review the declaration for the version that serves and set `deploy.version` to it (approvals follow the version), or move the alias back to the approved version.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..facts.registry import DIGEST_TAGS
from ..findings import Finding, Severity
from .base import Option, RuleContext

ID = "MG181"
NAME = "registry-serving-version"
SEVERITY = Severity.ERROR
USES = frozenset({"registry"})
OPTIONS: dict[str, Option] = {}


def declared(value: object) -> str:
    """``deploy.version`` as text (YAML may give it as a number)."""
    if isinstance(value, bool) or value is None:
        return ""
    return str(value).strip() if isinstance(value, (str, int)) else ""


def check(ctx: RuleContext) -> Iterator[Finding]:
    state = ctx.facts.registry
    alias = ctx.get("/registry/serving_alias")
    if state is None or state.error or not state.found or not isinstance(alias, str):
        return  # MG180 says why the registry could not be compared
    serving = state.resolve(alias.strip())
    if serving is None:
        return  # MG180: the alias resolves to nothing
    version = declared(ctx.get("/deploy/version"))
    if not version:
        yield ctx.finding(
            "/deploy",
            f"{state.model!r} serves version {serving.version} under {alias.strip()!r}, and "
            "`deploy.version` does not say which version this declaration covers",
            f'Add `deploy.version: "{serving.version}"` once the declaration describes it.',
            at_key=True,
        )
        return
    if version.startswith("sha256:"):
        digest = serving.tag(*DIGEST_TAGS)
        if digest.strip().lower() == version.lower():
            return
        shown = f"digest {digest}" if digest else "no digest tag"
        yield ctx.finding(
            "/deploy/version",
            f"the declaration covers {version}, but {alias.strip()!r} serves version "
            f"{serving.version} of {state.model!r} ({shown})",
        )
        return
    if version != serving.version:
        yield ctx.finding(
            "/deploy/version",
            f"the declaration covers version {version}, but {alias.strip()!r} serves version "
            f"{serving.version} of {state.model!r}: what serves is not what was declared and "
            "approved",
        )
