"""The HTML audit report as a person sees it: in headless Chromium, on screen and on paper.

A small organisation (a compliant model, the broken example, a model deep in
a monorepo, an undeclared one, a name with markup) is audited three times
into one ``--history`` file; the third report is opened in Chromium through
the DevTools protocol (tests/browser.py) at common window widths and in
print media, and printed to PDF.  Checked: rule names linked to their
documentation, rows that say they expand and an "expand all" control, the
framework view, charts with value labels and text labels (colour is never
the only carrier of meaning), the trend from the history, no word broken
across lines, and a print that shows every finding within the page width.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from browser import Browser, Page
from conftest import BROKEN, COMPLIANT, GitRepoBuilder, run_cli

pytestmark = pytest.mark.slow

WIDTHS = (1440, 1280, 1024, 768)
PRINT_WIDTH = 1032  # A4 landscape less the page margins (12 mm), in CSS pixels
MARKUP = "<b>bold</b> & <i>co</i>"


def _repo(root: Path, rel: str) -> GitRepoBuilder:
    path = root / rel
    path.mkdir(parents=True)
    repo = GitRepoBuilder(path)
    repo.git("init", "-q", "-b", "main")
    return repo


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("html-org")
    fraud = _repo(root, "org/payments/fraud-scoring")
    fraud.copy_example(COMPLIANT)
    fraud.commit("declare", date="2026-09-01")
    churn = _repo(root, "org/growth/churn")
    churn.copy_example(BROKEN)
    churn.commit("declare", date="2026-09-01")
    mono = _repo(root, "org/search/recommendation-platform-monorepo")
    deep = "services/recommendation/candidate-generation/two-tower-retrieval"
    mono.copy_example(COMPLIANT, deep)
    text = (mono.path / deep / "model.yaml").read_text()
    text = text.replace("name: fraud-scorer", f"name: '{MARKUP}'")
    text = text.replace("team: payments-ml", "team: search-relevance-and-ranking")
    (mono.path / deep / "model.yaml").write_text(text)
    mono.commit("declare", date="2026-09-01")
    shadow = _repo(root, "org/research/shadow-experiments")
    shadow.write("experiments/train_ranker.py", "import torch\nprint(torch)\n")
    shadow.write("experiments/model.pt", "weights")
    shadow.commit("an experiment", date="2026-09-01")
    manifest = root / "repos.yaml"
    manifest.write_text(
        "- {path: org/payments/fraud-scoring, team: payments-ml}\n"
        "- {path: org/growth/churn, team: growth}\n"
        "- {path: org/search/recommendation-platform-monorepo, team: search}\n"
        "- {path: org/research/shadow-experiments, team: research}\n"
    )
    history = root / "audits.sqlite"
    for today in ("2026-10-31", "2026-11-30", "2027-01-15"):
        out = root / f"audit-{today}.html"
        res = run_cli("audit", "--manifest", str(manifest), "--today", today, "--jobs", "1",
                      "--history", str(history), "--output", f"html={out}", "--output",
                      f"json={root / 'audit.json'}", cwd=root)  # fmt: skip
        assert res.exit_code == 1, res.stderr
    return {"root": root, "html": out, "json": json.loads((root / "audit.json").read_text())}


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with Browser(tmp_path_factory.mktemp("chromium-profile")) as b:
        yield b


def _open(browser: Browser, report: dict[str, Any], width: int = 1280, hash_: str = "") -> Page:
    page = browser.open(report["html"].as_uri() + hash_, width, 900)
    assert page.js("document.body.getAttribute('data-render')") == "done"
    assert page.js("document.body.getAttribute('data-errors')") == "0"
    return page


#: Words (runs of letters and digits) of visible text whose characters lie on more than
#: one line: a word broken mid-word.  Breaks after / and @ or at spaces are not in a word.
BROKEN_WORDS = r"""
(() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let node;
  while ((node = walker.nextNode())) {
    const parent = node.parentElement;
    if (!parent || parent.closest('script,style,svg,noscript,[hidden]')) continue;
    if (!parent.getClientRects().length) continue;
    const re = /[\p{L}\p{N}]+/gu;
    let m;
    while ((m = re.exec(node.data))) {
      if (m[0].length < 2) continue;
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0).map(r => Math.round(r.top)));
      if (tops.size > 1) out.push(m[0] + ' in <' + parent.tagName.toLowerCase() + ' class=' + parent.className + '>');
    }
  }
  return out;
})()
"""


@pytest.mark.parametrize("width", WIDTHS)
def test_no_word_is_broken_at_common_widths(
    browser: Browser, report: dict[str, Any], width: int
) -> None:
    page = _open(browser, report, width)
    page.js("document.getElementById('expand-all').click()")
    assert page.js(BROKEN_WORDS) == []
    assert page.errors() == []
    # the page never scrolls sideways; a table too wide for a small window scrolls in its box
    assert page.js("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_rules_appear_by_name_and_link_to_their_documentation(
    browser: Browser, report: dict[str, Any]
) -> None:
    page = _open(browser, report)
    links = page.js(
        "Array.from(document.querySelectorAll('#models-table a.rule')).map(a => [a.getAttribute('href'), a.textContent])"
    )
    assert links, "the failing rules and findings are links"
    names = {r["id"]: r["name"] for r in report["json"]["rules"]}
    for href, text in links:
        rule = href.removeprefix("#rule-")
        assert text == f"{rule} {names[rule]}", (href, text)
    entries = page.js(
        "Array.from(document.querySelectorAll('#rules dt')).map(dt => [dt.id, dt.textContent, "
        "dt.nextElementSibling.querySelector('a.doc') && dt.nextElementSibling.querySelector('a.doc').href])"
    )
    assert {e[0] for e in entries} == {f"rule-{r}" for r in names}
    for ident, text, doc in entries:
        rule = ident.removeprefix("rule-")
        assert text.startswith(f"{rule} {names[rule]}")
        assert doc.startswith("https://github.com/modelgov/modelgov/blob/v")
        assert doc.endswith(f"/docs/rules.md#{rule.lower()}-{names[rule]}")
    # a finding's rule link leads to the rule's entry
    page.js("document.querySelector('#models-table a.rule').click()")
    assert page.js("location.hash").startswith("#rule-")


def test_rows_say_they_expand_and_expand_all(browser: Browser, report: dict[str, Any]) -> None:
    page = _open(browser, report)
    rows = report["json"]["models"]
    buttons = page.js(
        "Array.from(document.querySelectorAll('#models-table tr.row button.toggle')).map(b => [b.textContent.trim(), b.getAttribute('aria-expanded'), b.getAttribute('aria-controls')])"
    )
    assert len(buttons) == len(rows)
    counts = sorted(len(r["findings"]) for r in rows)
    said = sorted(int(t.split()[1]) if "finding" in t else 0 for t, _, _ in buttons)
    assert said == counts
    assert all(t.startswith("\u25b8") and e == "false" for t, e, _ in buttons)
    visible = "Array.from(document.querySelectorAll('#models-table tr.more')).filter(t => t.getClientRects().length).length"
    assert page.js(visible) == 0
    page.js("document.querySelector('#models-table tr.row button.toggle').click()")
    assert page.js(visible) == 1
    assert (
        page.js(
            "document.querySelector('#models-table tr.row button.toggle').getAttribute('aria-expanded')"
        )
        == "true"
    )
    page.js("document.getElementById('expand-all').click()")
    assert page.js(visible) == len(rows)
    assert page.js("document.getElementById('expand-all').textContent") == "Collapse all"
    findings = sum(len(r["findings"]) for r in rows)
    assert page.js("document.querySelectorAll('#models-table li.finding').length") == findings
    page.js("document.getElementById('expand-all').click()")
    assert page.js(visible) == 0


def test_charts_carry_value_labels_and_text_labels(
    browser: Browser, report: dict[str, Any]
) -> None:
    page = _open(browser, report)
    s = report["json"]["summary"]
    totals = page.js(
        "Array.from(document.querySelectorAll('#chart-team text.total')).map(t => t.textContent)"
    )
    assert len(totals) == len(s["by_team"])
    for team, counts in s["by_team"].items():
        parts = [f"{counts[k]} {k}" for k in ("pass", "fail", "error", "undeclared") if counts[k]]
        assert f"{counts['total']} ({', '.join(parts)})" in totals, (team, totals)
    for chart in ("chart-rules", "chart-stale"):
        bars = page.js(
            f"Array.from(document.querySelectorAll('#{chart} rect.bar')).map(r => r.getAttribute('data-value'))"
        )
        labels = page.js(
            f"Array.from(document.querySelectorAll('#{chart} text.value')).map(t => t.textContent)"
        )
        assert sorted(v for v in bars if v != "0") == sorted(labels), chart
    rules = page.js(
        "Array.from(document.querySelectorAll('#chart-rules a text')).map(t => t.textContent)"
    )
    assert rules and all(re.match(r"MG\d{3} [a-z-]+", r) for r in rules)  # names, not bare ids
    # meaning without colour: patterns tell the statuses apart, and every status shown has text
    fills = page.js(
        "Array.from(document.querySelectorAll('#chart-team rect.bar')).map(r => [r.classList[1], r.getAttribute('fill')])"
    )
    assert len({f for _, f in fills}) == len({c for c, _ in fills}) and all(
        f.startswith("url(#p-") for _, f in fills
    )
    assert (
        page.js(
            "document.querySelectorAll('#patterns pattern path, #patterns pattern circle').length"
        )
        >= 4
    )
    badges = page.js("Array.from(document.querySelectorAll('.st')).map(b => b.textContent)")
    assert badges and all(
        re.fullmatch(r"[\u2713\u2717!?] (pass|fail|error|undeclared)", b) for b in badges
    )
    legend = page.js(
        "Array.from(document.querySelectorAll('#chart-team .legend text')).map(t => t.textContent)"
    )
    assert legend == ["\u2713 pass", "\u2717 fail", "! error", "? undeclared"]
    assert page.js("document.querySelector('.verdict').textContent").strip() == "\u2717 failed"


def test_the_trend_from_the_history(browser: Browser, report: dict[str, Any]) -> None:
    page = _open(browser, report)
    series = page.js(
        "Array.from(document.querySelectorAll('#chart-trend-team g.series')).map(g => g.getAttribute('data-name'))"
    )
    assert series[0] == "all teams"
    assert set(series[1:]) == {"payments-ml", "growth", "search-relevance-and-ranking", "research"}
    ends = page.js(
        "Array.from(document.querySelectorAll('#chart-trend-team text.end-label')).map(t => t.textContent)"
    )
    assert len(ends) == len(series) and all(re.match(r"\d+%  ", e) for e in ends)
    points = page.js(
        "document.querySelectorAll('#chart-trend-team g.series')[0].querySelectorAll('circle').length"
    )
    assert points == 3  # three runs recorded
    dates = page.js(
        "Array.from(document.querySelectorAll('#chart-trend-team > svg > text')).map(t => t.textContent)"
    )
    assert {"2026-10-31", "2026-11-30", "2027-01-15"} <= set(dates)
    rules = page.js(
        "Array.from(document.querySelectorAll('#chart-trend-rule g.series')).map(g => g.getAttribute('data-name'))"
    )
    assert 1 <= len(rules) <= 8 and all(re.match(r"MG\d{3} ", r) for r in rules)


def test_the_framework_view(browser: Browser, report: dict[str, Any]) -> None:
    page = _open(browser, report)
    frameworks = report["json"]["summary"]["frameworks"]
    tables = page.js("document.querySelectorAll('#frameworks table.controls').length")
    assert tables == len(frameworks) == 3
    rows = page.js(
        "Array.from(document.querySelectorAll('#frameworks tr.control')).map(tr => [tr.cells[0].textContent, tr.querySelector('.elabel').textContent])"
    )
    expected = [
        (c["id"], f"{c['pass']} passing \u00b7 {c['fail']} failing \u00b7 {c['none']} no evidence")
        for fw in frameworks
        for c in fw["controls"]
    ]
    assert [tuple(r) for r in rows] == expected
    # a failing model in the view filters the models table to it
    art14 = next(c for c in frameworks[0]["controls"] if c["id"] == "Art. 14")
    assert art14["fail"] >= 1
    page.js("document.querySelector('#frameworks button.toggle').click()")
    page.js("document.querySelector('#frameworks tr.more:not(.collapsed) a').click()")
    page.wait("document.body.getAttribute('data-shown') === '1'")


def test_markup_in_a_model_stays_text(browser: Browser, report: dict[str, Any]) -> None:
    page = _open(browser, report)
    assert (
        page.js(
            "Array.from(document.querySelectorAll('b, i')).filter(e => /bold|co/.test(e.textContent)).length"
        )
        == 0
    )
    page.js("document.getElementById('expand-all').click()")
    assert MARKUP not in page.js("document.body.innerHTML")  # escaped in the DOM
    assert MARKUP in page.js("document.body.textContent")  # shown as the text it is
    assert MARKUP in {m["name"] for m in report["json"]["models"]}


def test_print_shows_every_finding_within_the_page(
    browser: Browser, report: dict[str, Any], tmp_path: Path
) -> None:
    import pypdf

    page = _open(browser, report, PRINT_WIDTH)
    page.media("print")
    rows = report["json"]["models"]
    findings = [f for r in rows for f in r["findings"]]
    shown = "Array.from(document.querySelectorAll('#models-table li.finding')).filter(li => li.getClientRects().length).length"
    assert page.js(shown) == len(findings)  # every row expanded, nothing clicked
    hidden = page.js(
        "['.filters', '.toc', 'button.toggle'].map(s => Array.from(document.querySelectorAll(s)).some(e => e.getClientRects().length))"
    )
    assert hidden == [False, False, False]
    assert (
        page.js("document.getElementById('models-table').getBoundingClientRect().right")
        <= PRINT_WIDTH
    )
    assert page.js(BROKEN_WORDS) == []
    pdf = page.pdf()
    (report["root"] / "audit.pdf").write_bytes(pdf)  # kept next to the report for people to look at
    assert pdf.startswith(b"%PDF-")
    reader = pypdf.PdfReader(report["root"] / "audit.pdf")
    assert len(reader.pages) >= 2
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    for f in findings:
        assert " ".join(f["message"].split())[:60] in text, f["message"]
    assert "Evidence by framework" in text and "Compliance over time" in text
    # back on screen the rows are collapsed again
    page.media("screen")
    assert page.js(shown) == 0
    shutil.copy(report["html"], tmp_path / "audit.html")
