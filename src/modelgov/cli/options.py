"""Every option of the command line, declared once, as plain data.

The click commands (:mod:`.app`, :mod:`.audit`) are built from these
declarations, and :mod:`.fast` parses ``check``'s with no click at all (the
pre-commit hook's path).  An option shared by several commands (``--policy``,
``--today``, ``--output``...) is one :class:`Opt`; a command that says
something more specific about it derives a copy with :meth:`Opt.but`.
Format choices name the registry they come from (``modelgov.reporters`` for
``check``, ``modelgov.audit.render`` for ``audit``), so a new format needs no
edit here.

The values both parsers produce go through the same conversions below
(:func:`check_request`, :func:`parse_today`, :func:`split_outputs`), so a
command line means the same whichever parser read it.  ``MODELGOV_TODAY`` is
read in one place, :func:`parse_today`.

Nothing here imports click or the engine.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from ..errors import UsageError, did_you_mean
from ..findings import FAIL_ON

if TYPE_CHECKING:
    from ..commands.check import CheckOptions

Kind = Literal["value", "flag", "switch"]
#: text: a string; file: a path that must not be a folder; folder: a path that must not
#: be a file; path: any path; int, float: numbers (``minimum``/``maximum`` bound them).
ValueType = Literal["text", "file", "folder", "path", "int", "float"]


class Opt(NamedTuple):
    """One option: its flags, what it means, and how its value is read."""

    dest: str
    flags: tuple[str, ...]  # ("--color", "--no-color") for an on/off switch
    help: str
    kind: Kind = "value"
    metavar: str = ""
    multiple: bool = False
    #: the allowed values, or "module:ATTRIBUTE" naming the registry they come from
    choices: tuple[str, ...] | str = ()
    type: ValueType = "text"
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None

    def but(self, **changes: Any) -> Opt:
        """This option as another command words or bounds it (same flags, same value)."""
        return self._replace(**changes)

    @property
    def name(self) -> str:
        return next(f for f in self.flags if f.startswith("--"))


def choices_of(opt: Opt) -> tuple[str, ...]:
    """The allowed values of ``opt`` (imported from its registry when it names one)."""
    if isinstance(opt.choices, str):
        module, _, attr = opt.choices.partition(":")
        names: tuple[str, ...] = tuple(getattr(importlib.import_module(module), attr))
        return names
    return opt.choices


# -- the options --------------------------------------------------------------------------

POLICY = Opt(
    "policy",
    ("--policy",),
    "Policy pack: a built-in name (minimal, default, strict) or a YAML file; replaces the "
    "config's pack.",
    metavar="NAME|FILE",
)
CONFIG = Opt(
    "config",
    ("--config",),
    "Config file [default: .modelgov.yaml or pyproject.toml found by walking up].",
    type="file",
)
FAIL_ON_OPT = Opt(
    "fail_on",
    ("--fail-on",),
    "Lowest severity that fails the run [default: the config's, else error].",
    choices=FAIL_ON,
)
TODAY = Opt(
    "today",
    ("--today",),
    "Pin the date every date rule compares against (also MODELGOV_TODAY) [default: today].",
    metavar="YYYY-MM-DD",
)
ROSTER = Opt(
    "roster",
    ("--roster",),
    "People roster: an HR export, YAML or CSV with email and status (active/left).",
    type="file",
)
SELECT = Opt(
    "select",
    ("--select",),
    "Run only these rules: ids (MG131), id prefixes (MG2) or names (rollback-too-slow), "
    "comma-separated or repeated; applied after the config, as ruff does.",
    metavar="RULES",
    multiple=True,
)
IGNORE = Opt(
    "ignore",
    ("--ignore",),
    "Do not run these rules (ids, prefixes or names, like --select); wins over --select.",
    metavar="RULES",
    multiple=True,
)
CHECK_FORMAT = Opt(
    "formats",
    ("--format",),
    "Output format on stdout; repeat for several. auto: GitHub annotations plus text inside "
    "GitHub Actions, else text [default: auto].",
    multiple=True,
    choices="modelgov.reporters:CHOICES",
)
OUTPUT = Opt(
    "output",
    ("--output",),
    "Write the report to FILE instead of stdout, or write FORMAT to FILE besides stdout "
    "(repeatable, one format per file).",
    metavar="FILE|FORMAT=FILE",
    multiple=True,
)
QUIET = Opt(
    "quiet",
    ("-q", "--quiet"),
    "Print the findings only: no summary (text format).",
    kind="flag",
)
STATISTICS = Opt(
    "statistics",
    ("--statistics",),
    "Print how many findings each rule has instead of each finding (text format).",
    kind="flag",
)
STDIN_FILENAME = Opt(
    "stdin_filename",
    ("--stdin-filename",),
    "With PATH `-`: judge the model.yaml read from stdin as if it were at this path "
    "(its config, references and git history).",
    metavar="PATH",
    type="path",
)
STAGED = Opt(
    "staged",
    ("--staged",),
    "Judge what is staged in the git index (the pre-commit hook does this).",
    kind="flag",
)
REV = Opt(
    "rev",
    ("--rev",),
    "Judge the files as they were at a commit (read from git objects).",
    metavar="REV",
)
AS_OF = Opt(
    "as_of",
    ("--as-of",),
    "Judge the last commit on or before DATE, with today pinned to DATE.",
    metavar="YYYY-MM-DD",
)
REGISTRY = Opt(
    "registry",
    ("--registry",),
    "Compare each declaration with the model registry (MLflow; where it is comes from "
    "MLFLOW_TRACKING_URI or the config's registry_uri).",
    kind="flag",
)
COLOR = Opt(
    "color",
    ("--color", "--no-color"),
    "Colour the text output [default: on a terminal, unless NO_COLOR is set or TERM=dumb; "
    "FORCE_COLOR forces it].",
    kind="switch",
)

#: ``modelgov check``, in the order ``--help`` lists them.
CHECK: tuple[Opt, ...] = (
    POLICY,
    CONFIG,
    FAIL_ON_OPT,
    TODAY,
    ROSTER,
    SELECT,
    IGNORE,
    CHECK_FORMAT,
    OUTPUT,
    QUIET,
    STATISTICS,
    STDIN_FILENAME,
    STAGED,
    REV,
    AS_OF,
    REGISTRY,
    COLOR,
)

HERE_POLICY = POLICY.but(help="Show the rules under this pack instead of the config's.")
HERE_CONFIG = CONFIG.but(help="Config file [default: the one `check` finds from here].")
RULES: tuple[Opt, ...] = (
    HERE_POLICY,
    HERE_CONFIG,
    Opt(
        "fmt",
        ("--format",),
        "Output format [default: text].",
        choices=("text", "json", "markdown"),
        default="text",
    ),
)
EXPLAIN: tuple[Opt, ...] = (
    HERE_POLICY.but(help="Explain the rule (and custom rules) under this pack."),
    HERE_CONFIG,
)
INIT: tuple[Opt, ...] = (
    Opt("name", ("--name",), "Model name [default: the folder's name]."),
    Opt(
        "risk_tier",
        ("--risk-tier",),
        "Risk tier of the model [default: medium].",
        choices=("low", "medium", "high"),
        default="medium",
    ),
)
POLICY_TEST: tuple[Opt, ...] = (
    POLICY.but(dest="pack", help="The pack under test [default: the config's pack, else default]."),
    CONFIG.but(help="Config file [default: found walking up from the first PATH]."),
    TODAY.but(help="Date for cases that do not pin one (also MODELGOV_TODAY)."),
    Opt(
        "min_coverage",
        ("--min-coverage",),
        "Fail when fewer than N% of the pack's enabled rules are exercised.",
        metavar="N",
        type="float",
        minimum=0,
        maximum=100,
    ),
    QUIET.but(help="Print only failing cases and the summary."),
)
WAIVERS: tuple[Opt, ...] = (
    Opt(
        "expiring",
        ("--expiring",),
        "Only waivers ending within DAYS (such as 30d or 2w), and expired ones.",
        metavar="DAYS",
    ),
    Opt(
        "fmt",
        ("--format",),
        "Output format [default: text].",
        choices=("text", "json", "csv"),
        default="text",
    ),
    TODAY,
    Opt(
        "fail_expired",
        ("--fail-expired",),
        "Exit 1 when a listed waiver has expired or has no valid expiry date.",
        kind="flag",
    ),
)

HISTORY = Opt(
    "history",
    ("--history",),
    "Append the run to this SQLite FILE (created if missing); the HTML report draws pass "
    "rates over its runs.",
    type="file",
)
AUDIT_FORMAT = Opt(
    "formats",
    ("--format",),
    "Format on stdout; repeat for several [default: table].",
    multiple=True,
    choices="modelgov.audit.render:FORMATS",
)
AUDIT_OUTPUT = OUTPUT.but(
    help="Write the report to FILE instead of stdout, or FORMAT to FILE (repeatable)."
)
AUDIT_COLOR = COLOR.but(help="Colour the table [default: as for check].")
AUDIT_REPORT: tuple[Opt, ...] = (AUDIT_FORMAT, AUDIT_OUTPUT, AUDIT_COLOR)
AUDIT: tuple[Opt, ...] = (
    POLICY,
    CONFIG,
    FAIL_ON_OPT,
    TODAY,
    ROSTER,
    Opt(
        "manifest",
        ("--manifest",),
        "Repositories to audit: YAML or one per line (git URLs or local paths, team, labels).",
        type="file",
    ),
    Opt(
        "depth",
        ("--depth",),
        "Folder levels searched for repositories [default: 3].",
        type="int",
        default=3,
        minimum=0,
    ),
    Opt(
        "cache_dir",
        ("--cache-dir",),
        "Where URLs are cloned (bare, partial) [default: the user's cache folder].",
        type="folder",
    ),
    Opt(
        "no_fetch",
        ("--no-fetch",),
        "Audit cached clones as they are (clone only what is missing).",
        kind="flag",
    ),
    AS_OF.but(
        help="Audit each repo at its last commit on or before DATE; today is pinned to DATE."
    ),
    Opt(
        "jobs",
        ("-j", "--jobs"),
        "Worker processes [default: the number of cores].",
        type="int",
        minimum=1,
    ),
    Opt("shard", ("--shard",), "Audit shard K of N (a stable 1/N of the repos).", metavar="K/N"),
    Opt(
        "resume",
        ("--resume",),
        "Journal FILE: skip repos an interrupted run with the same settings finished.",
        type="file",
    ),
    Opt(
        "timings",
        ("--timings",),
        "Add per-repository timings (a separate JSON field).",
        kind="flag",
    ),
    Opt(
        "clone_timeout",
        ("--clone-timeout",),
        "Time limit per clone or fetch, in seconds [default: 600].",
        metavar="SECONDS",
        type="float",
        minimum=0,
    ),
    REGISTRY.but(
        help="Compare each declaration with the model registry (MLflow; from "
        "MLFLOW_TRACKING_URI or the org config's registry_uri, never a repository's)."
    ),
    Opt(
        "progress",
        ("--progress", "--no-progress"),
        "Progress bar [default: when stderr is a terminal].",
        kind="switch",
    ),
    HISTORY,
    *AUDIT_REPORT,
)

#: ``audit merge``: the report's formats, and the history the merged run is appended to.
AUDIT_MERGE: tuple[Opt, ...] = (*AUDIT_REPORT, HISTORY)
#: ``audit diff OLD NEW``.
AUDIT_DIFF: tuple[Opt, ...] = (
    Opt(
        "formats",
        ("--format",),
        "Format on stdout; repeat for several [default: text].",
        multiple=True,
        choices="modelgov.audit.diff:FORMATS",
    ),
    OUTPUT.but(help="Write to FILE instead of stdout, or FORMAT to FILE (repeatable)."),
)
#: ``export``.
EXPORT: tuple[Opt, ...] = (
    Opt(
        "fmt",
        ("--format",),
        "The interchange format: a CycloneDX 1.6 ML-BOM (JSON) [default: cyclonedx].",
        choices="modelgov.commands.export:FORMATS",
        default="cyclonedx",
    ),
    Opt("output", ("--output",), "Write to FILE instead of stdout.", type="file"),
    POLICY,
    CONFIG,
    TODAY,
)

#: ``playbook``.
PLAYBOOK: tuple[Opt, ...] = (
    Opt(
        "model",
        ("--model",),
        "Only the model of this name (or model.yaml path) [default: every model in PATH].",
        metavar="NAME",
    ),
    Opt(
        "fmt",
        ("--format",),
        "Output format: text for a terminal, markdown for a step summary or wiki, json for "
        "a bot, html to print (a page per model) [default: text].",
        choices="modelgov.playbook:FORMATS",
        default="text",
    ),
    TODAY.but(
        help="Pin the date post-mortems and action items are due against (also "
        "MODELGOV_TODAY) [default: today]."
    ),
    Opt("output", ("--output",), "Write to FILE instead of stdout.", type="file"),
    POLICY,
    CONFIG,
)

#: One worked example per command, shown at the end of its ``--help``.
EXAMPLES: Mapping[str, tuple[str, ...]] = {
    "check": (
        "modelgov check                                  # every model.yaml below .",
        "modelgov check models/churn --select MG2 -q     # the staleness rules, findings only",
        "modelgov check --format sarif --output modelgov.sarif",
        "modelgov check - --stdin-filename models/churn/model.yaml < edited.yaml",
    ),
    "rules": ("modelgov rules --policy strict --format markdown",),
    "explain": ("modelgov explain MG131              # or its name: rollback-too-slow",),
    "schema": ("modelgov schema > .model.schema.json",),
    "init": ("modelgov init models/churn --risk-tier high",),
    "policy test": ("modelgov policy test tests/policy --policy org.yaml --min-coverage 90",),
    "waivers": ("modelgov waivers --expiring 30d --format csv > waivers.csv",),
    "audit": (
        "modelgov audit ~/src/acme --jobs 4 --output html=audit.html",
        "modelgov audit merge shard-*.json --format markdown",
    ),
    "audit merge": ("modelgov audit merge shard-*.json --output json=org.json",),
    "audit diff": ("modelgov audit diff last-quarter.json audit.json --format markdown",),
    "export": ("modelgov export --format cyclonedx models/ --output ml-bom.json",),
    "playbook": (
        "modelgov playbook models/churn                # what the on-call engineer reads",
        'modelgov playbook --format markdown >> "$GITHUB_STEP_SUMMARY"',
        "modelgov playbook --model fraud-scorer --format html --output playbook.html",
    ),
}


def defaults(options: Sequence[Opt]) -> dict[str, Any]:
    """The value of every option of ``options`` when the command line does not give it."""
    out: dict[str, Any] = {}
    for opt in options:
        if opt.kind == "flag":
            out[opt.dest] = False
        elif opt.multiple:
            out[opt.dest] = ()
        else:
            out[opt.dest] = opt.default
    return out


# -- conversions both parsers share -----------------------------------------------------------


def parse_today(text: str | None, option: str = "--today") -> _dt.date:
    """The value of ``--today``, else ``MODELGOV_TODAY``, else the calendar date: the one
    place the date every date rule compares against is decided."""
    value = text or os.environ.get("MODELGOV_TODAY")
    if not value:
        return _dt.date.today()
    return parse_date(value, option if text else "MODELGOV_TODAY")


def parse_date(value: str, option: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{option} must be a date as YYYY-MM-DD, not {value!r}") from None


def output_pair(value: str) -> tuple[str, Path]:
    fmt, sep, path = value.partition("=")
    if not sep or not fmt or not path:
        raise UsageError(
            f"--output: expected FORMAT=PATH (such as sarif=results.sarif), not {value!r}"
        )
    return fmt.strip(), Path(path)


def split_outputs(output: Sequence[str]) -> tuple[Path | None, list[tuple[str, Path]]]:
    """``--output`` values: the one plain FILE (stdout's formats) and the FORMAT=FILE pairs."""
    plain = [o for o in output if "=" not in o]
    if len(plain) > 1:
        raise UsageError(
            f"--output {plain[0]} and --output {plain[1]}: give at most one --output FILE; "
            f"write other formats as FORMAT=FILE (such as --output sarif={plain[1]})"
        )
    pairs = [output_pair(o) for o in output if "=" in o]
    return (Path(plain[0]) if plain else None), pairs


def rule_list(values: Sequence[str]) -> tuple[str, ...]:
    """``--select``/``--ignore`` values: repeated, comma-separated, or both."""
    return tuple(part.strip() for v in values for part in v.split(",") if part.strip())


def choice(opt: Opt, value: str) -> str:
    """``value`` when ``opt`` allows it; else a usage error with "did you mean"."""
    allowed = choices_of(opt)
    if value not in allowed:
        raise UsageError(
            f"{opt.name}: {value!r} is not one of {', '.join(allowed)}"
            f"{did_you_mean(value, allowed)}"
        )
    return value


def check_request(values: Mapping[str, Any]) -> CheckOptions:
    """What a parsed ``check`` command line asks for (both parsers end here)."""
    from ..commands.check import CheckOptions

    staged, rev, as_of = values["staged"], values["rev"], values["as_of"]
    if staged and (rev or as_of):
        raise UsageError("--staged cannot be combined with --rev or --as-of")
    if rev and as_of:
        raise UsageError("--rev and --as-of cannot be combined")
    paths = [Path(p) for p in values["paths"]]
    stdin_name: Path | None = values["stdin_filename"]
    reads_stdin = any(str(p) == "-" for p in paths) or (stdin_name is not None and not paths)
    if reads_stdin:
        if len(paths) > 1:
            raise UsageError(
                "`-` (read the model.yaml from stdin) cannot be combined with other paths; "
                "check them in a run of their own"
            )
        if staged or rev or as_of:
            raise UsageError(
                "`-` judges the model.yaml read from stdin in the work tree; it cannot be "
                "combined with --staged, --rev or --as-of"
            )
    elif stdin_name is not None:
        raise UsageError(
            "--stdin-filename names the model.yaml read from stdin: give `-` as the only PATH "
            f"(modelgov check - --stdin-filename {stdin_name})"
        )
    plain, pairs = split_outputs(values["output"])
    for name in ("select", "ignore"):
        if values[name] and not rule_list(values[name]):
            raise UsageError(f"--{name} needs rule ids, id prefixes or names (such as MG2)")
    return CheckOptions(
        paths=paths or [Path(".")],
        policy=values["policy"],
        config=values["config"],
        fail_on=values["fail_on"],
        today=parse_today(values["today"]),
        source="index" if staged else ("commit" if rev or as_of else "worktree"),
        rev=rev,
        index_file=os.environ.get("GIT_INDEX_FILE") if staged else None,
        formats=list(values["formats"]) or ["auto"],
        output=plain,
        outputs=pairs,
        color=values["color"],
        roster=values["roster"],
        as_of=parse_date(as_of, "--as-of") if as_of else None,
        registry=values["registry"],
        select=rule_list(values["select"]) if values["select"] else None,
        ignore=rule_list(values["ignore"]),
        quiet=values["quiet"],
        statistics=values["statistics"],
        stdin=reads_stdin,
        stdin_filename=stdin_name,
    )
