"""The playbook's HTML in headless Chromium: self-contained, readable on a screen, and
printed one page per model (counted in the PDF with pypdf)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from browser import Browser
from conftest import BROKEN, COMPLIANT, TODAY, GitRepoBuilder, run_cli

pytestmark = pytest.mark.slow

MARKUP = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with Browser(tmp_path_factory.mktemp("chromium-profile")) as b:
        yield b


def _repo(make_repo: Any, models: int) -> GitRepoBuilder:
    repo: GitRepoBuilder = make_repo("org")
    repo.copy_example(COMPLIANT, "models/fraud")
    repo.copy_example(BROKEN, "models/churn")
    if models == 3:  # a third model whose declarations carry markup
        repo.copy_example(COMPLIANT, "models/markup")
        path = repo.path / "models/markup/model.yaml"
        text = path.read_text(encoding="utf-8")
        text = text.replace("rotation: payments-ml-primary", f'rotation: "{MARKUP}"')
        text = text.replace("name: fraud-scorer", "name: markup-model")
        path.write_text(text, encoding="utf-8")
    repo.commit("models", date="2026-11-02")
    return repo


def _html(repo: GitRepoBuilder, tmp_path: Path) -> Path:
    out = tmp_path / "playbook.html"
    res = run_cli(
        "playbook", "--today", TODAY, "--format", "html", "--output", str(out), cwd=repo.path
    )
    assert res.exit_code == 1 and res.stderr == "", res.stderr
    return out


@pytest.mark.parametrize("models", [2, 3])
def test_prints_one_page_per_model(
    browser: Browser, make_repo: Any, tmp_path: Path, models: int
) -> None:
    import pypdf

    html = _html(_repo(make_repo, models), tmp_path)
    text = html.read_text(encoding="utf-8")
    # self-contained: no script, nothing loaded from anywhere
    assert "<script" not in text.lower()
    assert not re.search(r"""<[^>]*\s(src|href)\s*=|url\(|@import""", text, re.I)
    assert "default-src 'none'" in text  # and the page forbids loading anything
    page = browser.open(html.as_uri(), 1280, 900)
    assert page.js("document.querySelectorAll('section.model').length") == models
    assert page.errors() == []
    page.media("print")
    pdf = page.pdf()
    (tmp_path / "playbook.pdf").write_bytes(pdf)
    reader = pypdf.PdfReader(tmp_path / "playbook.pdf")
    assert len(reader.pages) == models
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 portrait
    pages = [" ".join((p.extract_text() or "").split()) for p in reader.pages]
    # each page holds one model, its five steps and its verdict
    assert "Churn Model" in pages[0] and "not ready at 2am: 13 gap(s)" in pages[0]
    assert "nobody is paged if the primary does not answer" in pages[0]
    assert "5. Before redeploying" in pages[0]
    assert "fraud-scorer" in pages[1] and "ready at 2am" in pages[1]
    assert "Churn Model" not in pages[1]


def test_a_screen_shows_every_step_without_overflow(
    browser: Browser, make_repo: Any, tmp_path: Path
) -> None:
    repo = _repo(make_repo, 3)
    html = _html(repo, tmp_path)
    body = json.loads(run_cli("playbook", "--format", "json", cwd=repo.path).stdout)
    assert body["summary"]["gaps"] > 13  # the markup model's rotation no longer gets alerts
    for width in (1280, 768, 420):
        page = browser.open(html.as_uri(), width, 900)
        assert page.js("document.documentElement.scrollWidth") <= width, width
        steps = page.js(
            "Array.from(document.querySelectorAll('section.model')).map("
            "s => s.querySelectorAll('.step').length)"
        )
        assert steps == [5, 5, 5]
        gaps = page.js("document.querySelectorAll('li.gap').length")
        assert gaps == body["summary"]["gaps"]
    # markup in a declaration stays text
    assert page.js("document.querySelectorAll('section.model img').length") == 0
    assert MARKUP in page.js("document.body.textContent")
