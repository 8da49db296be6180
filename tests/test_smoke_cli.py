from __future__ import annotations

from conftest import BROKEN, COMPLIANT, run_cli


def test_compliant_example_passes() -> None:
    result = run_cli("check", str(COMPLIANT))
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "All clear: 1 model checked" in result.stdout


def test_broken_example_fails() -> None:
    result = run_cli("check", str(BROKEN))
    assert result.exit_code == 1
    assert "MG141" in result.stdout
