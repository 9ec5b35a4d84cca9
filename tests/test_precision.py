"""Precision: correct apps, each a workspace under ``fixtures/precision``, get no diagnostics."""

from __future__ import annotations

from pathlib import Path

import pytest

from streamlit_lsp.checker import check_paths

PRECISION = Path(__file__).parent / "fixtures" / "precision"
CASES = sorted(path for path in PRECISION.iterdir() if path.is_dir())


@pytest.mark.parametrize("workspace", CASES, ids=lambda path: path.name)
def test_correct_app_gets_no_diagnostics(workspace: Path) -> None:
    result = check_paths([workspace])
    found = [f"{d.path.name}:{d.span.line} {d.code} {d.message}" for d in result.diagnostics]
    assert found == []
