"""The click command of ``modelgov approve`` (loaded only when it runs; see :mod:`.app`)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command(name="approve")
@click.argument("path", required=False, type=click.Path(path_type=Path), default=Path("."))
@click.option(
    "--role",
    required=True,
    metavar="ROLE",
    help="The role you approve for (product, compliance...).",
)
@click.option(
    "--key",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    metavar="SSH_KEY",
    help="Your SSH private key (or its .pub, with the private key in ssh-agent).",
)
@click.option("--model", metavar="NAME", help="The model to approve when PATH holds several.")
@click.option("--note", default="", metavar="TEXT", help="One line recorded with the approval.")
@click.option(
    "--email",
    metavar="EMAIL",
    help="Your email, as deploy.approvers and the allowed signers list it [default: git's user.email].",
)
@click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Config whose allowed_signers the new signature is checked against.",
)
@click.option(
    "--today",
    metavar="YYYY-MM-DD",
    envvar="MODELGOV_TODAY",
    help="The date of the approval (also MODELGOV_TODAY) [default: today].",
)
def approve(
    path: Path,
    role: str,
    key: Path,
    model: str | None,
    note: str,
    email: str | None,
    config: Path | None,
    today: str | None,
) -> int:
    """Sign a deploy approval of the model in PATH (default: .) with your SSH key.

    Writes approvals/ROLE-EMAIL.yaml beside the model.yaml: the model, its
    deploy.version, your role and email, the date and a digest of risk_tier,
    deploy, rollback and drift, signed with `ssh-keygen -Y sign`.  Commit it;
    `modelgov check` verifies it against the allowed signers file.
    """
    from ..commands import approve as cmd
    from .options import parse_today

    return cmd.run(
        path,
        role=role,
        key=key,
        today=parse_today(today),
        model=model,
        note=note,
        email=email,
        config=config,
    )
