"""The history walk tells a change of the declaration from a cosmetic touch, and judges a
touch only when an answer depends on it: judging lazily gives what judging every touch
as it comes gives (MG202's code changes, the last change it names), in linear histories,
across merges and in shallow clones, with fewer model.yaml versions parsed."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import git_env
from modelgov.facts.history import ModelHistory, ModelSpec, content_digest
from modelgov.git import GitRepo
from modelgov.git import walk as walk_mod

DECLARED = "owner:\n  email: dana.okafor@example.com\npaths:\n  - src/**\n"


def declaration(review: str, comment: str = "") -> str:
    return (
        DECLARED + f"review:\n  last_reviewed: {review}\n" + (f"# {comment}\n" if comment else "")
    )


def _histories(
    path: Path, spec: ModelSpec, monkeypatch: pytest.MonkeyPatch, *, lazy: bool
) -> tuple[ModelHistory, int]:
    parsed = []
    real = walk_mod.content_digest_of

    def counting(raw: bytes | None) -> str | None:
        parsed.append(raw)
        return real(raw)

    with monkeypatch.context() as m:
        m.setattr(walk_mod, "content_digest_of", counting)
        if not lazy:
            m.setattr(walk_mod.Walker, "_lazy", lambda self, t: False)
        with GitRepo.open(path) as g:  # type: ignore[union-attr]
            out = g.model_histories([spec])["model.yaml"]
    return out, len(parsed)


def _spec(path: Path, review: str | None) -> ModelSpec:
    import yaml

    text = (path / "model.yaml").read_text(encoding="utf-8")
    blob = subprocess.run(
        ["git", "rev-parse", "HEAD:model.yaml"],
        cwd=path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return ModelSpec(
        "model.yaml",
        "",
        ("src/**",),
        digest=content_digest(yaml.safe_load(text)),
        blob=blob,  # the judged version: the committed one (as --rev and audits judge it)
        reviewed=dt.date.fromisoformat(review) if review else None,
    )


def _stale(h: ModelHistory, review: str | None) -> list[str]:
    when = dt.date.fromisoformat(review) if review else None
    return [c.commit.subject for c in h.code_changes if when is None or c.commit.date > when]


def _linear(r: Any) -> None:
    r.write("model.yaml", declaration("2026-01-01"))
    r.write("src/a.py", "0")
    r.commit("declare", date="2026-01-01")
    for i in range(1, 7):
        r.write("src/a.py", str(i))
        r.commit(f"code {i}", date=f"2026-0{i + 1}-01")
        if i == 2:
            r.write("model.yaml", declaration("2026-03-02"))  # a review: a change
            r.commit("review", date="2026-03-02")
        if i == 4:
            r.write("model.yaml", declaration("2026-03-02", "touched"))  # cosmetic
            r.commit("touch", date="2026-05-02")


def _merged(r: Any) -> None:
    r.write("model.yaml", declaration("2026-01-01"))
    r.write("src/a.py", "0")
    r.commit("declare", date="2026-01-01")
    r.git("checkout", "-q", "-b", "side")
    r.write("src/b.py", "side")
    r.commit("side code", date="2026-02-01")
    r.git("checkout", "-q", "main")
    r.write("model.yaml", declaration("2026-01-01", "touched"))
    r.commit("touch on main", date="2026-02-10")
    r.git("merge", "-q", "--no-ff", "-m", "merge side", "side", date="2026-02-20")
    r.write("model.yaml", declaration("2026-01-01", "touched again"))
    r.commit("touch after the merge", date="2026-03-01")


@pytest.mark.parametrize("build", [_linear, _merged], ids=["linear", "merged"])
@pytest.mark.parametrize("review", [None, "2026-03-02"], ids=["no-review", "reviewed"])
def test_lazy_judging_decides_what_eager_judging_decides(
    make_repo: Any, monkeypatch: pytest.MonkeyPatch, build: Any, review: str | None
) -> None:
    r = make_repo()
    build(r)
    spec = _spec(r.path, review)
    lazy, lazy_parsed = _histories(r.path, spec, monkeypatch, lazy=True)
    eager, eager_parsed = _histories(r.path, spec, monkeypatch, lazy=False)
    assert _stale(lazy, review) == _stale(eager, review)
    assert lazy_parsed <= eager_parsed
    if _stale(lazy, review):  # a finding to word: the last change is named exactly
        assert lazy.judged and (lazy.last_change, lazy.cosmetic) == (
            eager.last_change,
            eager.cosmetic,
        )
    if build is _linear:
        # the touch of 2026-05-02 is cosmetic: codes 3 and 4 are unseen by the review of
        # 2026-03-02 only when no review date covers them
        expected = ["code 6", "code 5", "code 4", "code 3"]
        assert _stale(eager, None) == expected
        assert eager.last_change is not None and eager.last_change.subject == "review"
        assert [c.subject for c in eager.cosmetic] == ["touch"]
    elif review is None:
        # the side branch's code was never seen by a change of the declaration
        assert "side code" in _stale(eager, review)


def test_a_review_that_covers_the_code_needs_no_version_read(
    make_repo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = make_repo()
    r.write("model.yaml", declaration("2026-01-01"))
    r.write("src/a.py", "0")
    r.commit("declare", date="2026-01-01")
    r.write("src/a.py", "1")
    r.commit("code", date="2026-02-01")
    r.write("model.yaml", declaration("2026-02-05"))
    r.commit("review", date="2026-02-05")
    spec = _spec(r.path, "2026-02-05")
    lazy, parsed = _histories(r.path, spec, monkeypatch, lazy=True)
    eager, eager_parsed = _histories(r.path, spec, monkeypatch, lazy=False)
    assert (_stale(lazy, "2026-02-05"), _stale(eager, "2026-02-05")) == ([], [])
    assert parsed == 0 and eager_parsed == 1  # the judged version is never parsed twice
    assert not lazy.judged and eager.judged


def test_a_shallow_clone_judges_its_touches(
    make_repo: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = make_repo()
    _linear(r)
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--no-local", "--depth=3", f"file://{r.path}", str(clone)],
        check=True,
        env=git_env(),
        capture_output=True,
    )
    spec = _spec(clone, None)
    lazy, _ = _histories(clone, spec, monkeypatch, lazy=True)
    eager, _ = _histories(clone, spec, monkeypatch, lazy=False)
    assert lazy.judged
    assert (lazy.change_known, lazy.last_change, _stale(lazy, None)) == (
        eager.change_known,
        eager.last_change,
        _stale(eager, None),
    )
