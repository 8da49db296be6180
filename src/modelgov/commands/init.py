"""``modelgov init``: write a commented model.yaml skeleton; never overwrite."""

from __future__ import annotations

import datetime as _dt
import os
import re
from pathlib import Path

import click

from ..errors import UsageError
from ..git import user_identity
from ..repoview import MODEL_FILE_NAMES

TEMPLATE = """\
# yaml-language-server: $schema=https://modelgov.dev/schemas/model.schema.json
# The operating declaration of this model; `modelgov check` judges it and
# `modelgov explain RULE` says why each field matters.  Fill in every TODO.
schema_version: 1
name: {name}
description: TODO one or two sentences on what the model decides and for whom.
risk_tier: {risk_tier}              # low | medium | high: sets the policy's thresholds
paths:                              # code and artifacts this declaration covers
  - src/**

owner:                              # one accountable person, not a team alias
  name: {owner_name}
  email: {owner_email}
  team: TODO-team

on_call:
  rotation: TODO-primary-rotation
  provider: pagerduty               # pagerduty | opsgenie | grafana-oncall | incident-io | manual
  escalation: TODO-secondary-rotation
  runbook: docs/runbook.md          # a repo path (relative to this file) or an https:// URL

rollback:
  procedure: docs/runbook.md        # how to restore the previous version
  strategy: registry-alias          # registry-alias | blue-green | canary | feature-flag | redeploy-previous
  max_minutes: 30
  decision_owner: on_call           # who may roll back at 2am without a meeting
  last_tested: TODO                 # date of the last rollback drill, YYYY-MM-DD

drift:
  alert_route: TODO-primary-rotation  # must be the on-call rotation or escalation
  monitors:
    - name: input-distribution
      signal: input_distribution
      metric: psi
      threshold: 0.2
      window: 1d
    - name: prediction-confidence
      signal: prediction_confidence
      metric: mean_max_probability
      threshold: 0.1
      window: 1d

deploy:                             # deploying is a separate decision from building
  approvers:
    - email: TODO-product@example.com
      role: product
    - email: TODO-reliability@example.com
      role: reliability

review:
  last_reviewed: {today}
  reviewed_by: {owner_email}

waivers: []
"""


def run(folder: Path, *, name: str | None, risk_tier: str, today: _dt.date) -> int:
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder")
    for existing in MODEL_FILE_NAMES:
        if (folder / existing).exists() or (folder / existing).is_symlink():
            raise UsageError(f"{folder / existing} already exists; modelgov init never overwrites")
    user_name, user_email = user_identity()
    slug = re.sub(
        r"[^a-z0-9._-]+", "-", (name or Path(os.path.abspath(folder)).name).lower()
    ).strip("-._")
    text = TEMPLATE.format(
        name=slug or "my-model",
        risk_tier=risk_tier,
        owner_name=user_name or "TODO Full Name",
        owner_email=user_email or "TODO@example.com",
        today=today.isoformat(),
    )
    target = folder / "model.yaml"
    try:
        with open(target, "x", encoding="utf-8") as fh:
            fh.write(text)
    except FileExistsError:
        raise UsageError(f"{target} already exists; modelgov init never overwrites") from None
    click.echo(f"wrote {target}: fill in the TODOs, then run `modelgov check`.")
    return 0
