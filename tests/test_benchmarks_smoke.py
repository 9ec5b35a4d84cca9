"""The benchmark suite still works: ``benchmarks/run.py --short`` end to end.

It starts the real server over stdio on tiny generated workspaces and writes its table
as JSON. Only the shape is checked here, never a timing: the numbers are for people.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
RUNNER = REPO / "benchmarks" / "run.py"

# Every kind of figure the issue asks for; a prefix, since sizes differ between modes.
EXPECTED = [
    "completion.attribute.100.server_p50",
    "completion.attribute.5000.server_p99",
    "completion.subscript.1000.server_p50",
    "completion.attribute.size_independence",
    "edit_diagnostics.100.p50",
    "edit_diagnostics.5000.p50",
    "edit_diagnostics.100.floor_p50",
    "edit_diagnostics.non_ascii_path",
    "round_trip.p50",
    "cold_index.",
    "cold_index_analysis.",
    "warm_start",
    "warm_start_analysis",
    "check",
    "check_again",
    "memory_rss",
    "scaling.index_s.",
    "scaling.VmRSS_mb.",
    "peer.jedi.completion.attribute.100.server_p50",
    "peer.jedi.memory_rss",
    "peer.jedi.memory_interactive_rss",
]
STATUSES = {"pass", "fail", "info", "skipped", "not implemented", "error"}


def test_short_benchmark_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "out"
    results = tmp_path / "results.json"
    done = subprocess.run(
        [
            sys.executable,
            str(RUNNER),
            "--short",
            "--cold-repeats",
            "2",
            "--out",
            str(out),
            "--json",
            str(results),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "figure" in done.stdout and "result" in done.stdout  # the table's header

    data = json.loads(results.read_text(encoding="utf-8"))
    figures = {row["id"]: row for row in data["figures"]}
    for expected in EXPECTED:
        assert any(name == expected or name.startswith(expected) for name in figures), expected

    for row in data["figures"]:
        assert row["status"] in STATUSES, row
        if row["status"] in ("skipped", "not implemented"):
            continue
        if row["value"] is None:
            # Only a measurement that could not be taken (the server never answered as
            # expected) may lack a number, and it must say why.
            assert row["status"] in ("error", "fail") and row["note"], row
            continue
        assert isinstance(row["value"], (int, float)), row
        if row["status"] in ("pass", "fail") and row["baseline"] is not None:
            assert isinstance(row["ratio"], (int, float)), row
    # The figures that need no peer and no unbuilt feature have numbers.
    for name in ("cold_index_analysis.", "check", "memory_rss", "completion.attribute.100"):
        assert any(
            row_id.startswith(name) and isinstance(figures[row_id]["value"], (int, float))
            for row_id in figures
        ), name
    assert isinstance(figures["warm_start"]["value"], (int, float))
    # Cold indexes and checks are run twice here, and their medians reported.
    cold = [row for row_id, row in figures.items() if row_id.startswith("cold_index")]
    assert cold and all(row["samples"] == 2 for row in cold), cold
    assert figures["check"]["samples"] == 2
    assert data["environment"]["cold_repeats"] == 2
    assert isinstance(figures["warm_start"]["ratio"], (int, float))
    assert figures["peer.jedi.memory_rss"]["status"] == "skipped"
    assert len(data["curve"]) >= 2
