"""``modelgov init``: write a commented model.yaml skeleton; never overwrite.

The skeleton claims nothing a person has not done: values only a person can
know are the placeholder ``TODO`` (MG103 fails each), and the dates of a
review and a rollback drill are left empty (MG130 and MG200 fail them) -- a
file that claims a review or a drill that never happened is worse than an
empty field.  A fresh skeleton therefore fails ``modelgov check``, naming every
field still to fill in.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from pathlib import Path

import click

from ..errors import UsageError
from ..git import user_identity
from ..repoview import MODEL_FILE_NAMES
from ..rules.mg103_placeholder import INIT_MARKER

TEMPLATE = """\
# yaml-language-server: $schema=https://modelgov.dev/schemas/model.schema.json
# The operating declaration of this model, written by `modelgov init` on {today}.
# `modelgov check` fails until a person has filled in every {todo} and every empty
# field below; `modelgov explain RULE` says why each one matters.
schema_version: 1
name: {name}
description: {todo} one or two sentences on what the model decides and for whom.
risk_tier: {risk_tier}              # low | medium | high: sets the policy's thresholds
paths:                              # code and artifacts this declaration covers
  - src/**

owner:                              # one accountable person, not a team alias
  name: {owner_name}
  email: {owner_email}
  team: {todo}-team

on_call:
  rotation: {todo}-primary-rotation
  provider: pagerduty               # pagerduty | opsgenie | grafana-oncall | incident-io | manual
  escalation: {todo}-secondary-rotation
  runbook: docs/runbook.md          # a repo path (relative to this file) or an https:// URL

rollback:
  procedure: docs/runbook.md        # how to restore the previous version
  strategy: registry-alias          # registry-alias | blue-green | canary | feature-flag | redeploy-previous
  max_minutes: 30
  decision_owner: on_call           # who may roll back at 2am without a meeting: on_call or one person
  preserves_data:                   # true once a rollback keeps the data the newer version wrote
  last_tested:                      # date of the last rollback drill, YYYY-MM-DD, once it has run

drift:
  alert_route: {todo}-primary-rotation  # must be the on-call rotation or escalation
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
    - email: {todo}-product@example.com
      role: product
    - email: {todo}-reliability@example.com
      role: reliability

review:                             # the last governance review, once it has happened
  last_reviewed:                    # YYYY-MM-DD
  reviewed_by:                      # the reviewer's email

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
        owner_name=user_name or f"{INIT_MARKER} Full Name",
        owner_email=user_email or f"{INIT_MARKER}@example.com",
        today=today.isoformat(),
        todo=INIT_MARKER,
    )
    target = folder / "model.yaml"
    try:
        with open(target, "x", encoding="utf-8") as fh:
            fh.write(text)
    except FileExistsError:
        raise UsageError(f"{target} already exists; modelgov init never overwrites") from None
    click.echo(
        f"wrote {target}: fill in every {INIT_MARKER} and empty field, then run `modelgov check`."
    )
    return 0
