"""``streamlit-lsp check`` as a process runs it: the cyclic collector stays out of it.

The index and the analysis pause the collector (their objects hold no cycles); a
collection that ran after them scanned everything the analysis made, 0.14 s of a
2,000-file check, so the whole command runs with it paused and freezes what it made.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from streamlit_lsp.cli import main

WORKSPACE = Path(__file__).parent / "fixtures" / "workspaces" / "first_visit"


def test_check_runs_no_automatic_collection(capsys: pytest.CaptureFixture[str]) -> None:
    generations: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            generations.append(info["generation"])

    gc.callbacks.append(note)
    try:
        code = main(["check", "--exit-zero", str(WORKSPACE)])
    finally:
        gc.callbacks.remove(note)
    assert code == 0
    assert "ST002" in capsys.readouterr().out
    # The last: the full collection the index makes before it starts (generation 2).
    assert generations and generations[-1] == 2, generations
    assert gc.isenabled()
