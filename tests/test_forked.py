"""Work spread over forked copies of the process (``check``'s analysis of apps)."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest

from generated import generate
from streamlit_lsp import forked
from streamlit_lsp.checker import check_paths
from streamlit_lsp.deepstack import call_with_deep_stack

linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forks on Linux only")


def square_with_pid(value: int) -> tuple[int, int]:
    return value * value, os.getpid()


@linux_only
def test_results_come_back_in_order_from_every_process() -> None:
    results = forked.map_forked(square_with_pid, list(range(10)), 3)
    assert [square for square, _ in results] == [n * n for n in range(10)]
    pids = {pid for _, pid in results}
    assert os.getpid() in pids and len(pids) == 3
    # Items are dealt in turn: this process takes every third one from the first.
    assert {pid for _, pid in results[0::3]} == {os.getpid()}


def fails_in_a_copy(parent: int) -> int:
    if os.getpid() != parent:
        raise RuntimeError("a copy fails")
    return parent


@linux_only
def test_a_copy_that_fails_costs_time_not_results() -> None:
    parent = os.getpid()
    assert forked.map_forked(lambda _: fails_in_a_copy(parent), list(range(6)), 2) == [parent] * 6


def test_one_process_where_forking_is_not_safe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(forked, "fork_is_safe", lambda: False)
    results = forked.map_forked(square_with_pid, [1, 2, 3], 2)
    assert results == [(1, os.getpid()), (4, os.getpid()), (9, os.getpid())]


@linux_only
def test_forking_is_not_safe_beside_other_threads() -> None:
    assert forked.fork_is_safe()  # the main thread alone
    # call_with_deep_stack's thread beside the main thread waiting for it: safe.
    assert call_with_deep_stack(forked.fork_is_safe)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert not forked.fork_is_safe()
    finally:
        stop.set()
        other.join()


@linux_only
def test_check_finds_the_same_with_forked_analysis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "ws"
    generate(root, 120, seed=5)
    monkeypatch.setenv("STREAMLIT_LSP_CACHE_DIR", "")
    monkeypatch.setattr("streamlit_lsp.checker.usable_cores", lambda: 1)
    serial = check_paths([root])
    monkeypatch.setattr("streamlit_lsp.checker.usable_cores", lambda: 2)
    monkeypatch.setattr("streamlit_lsp.checker.FORK_MIN_APPS", 2)
    copies: list[int] = []
    original = forked._fork_for

    def spy(*args):
        child = original(*args)
        copies.append(child is not None)
        return child

    monkeypatch.setattr(forked, "_fork_for", spy)
    parallel = check_paths([root])
    assert copies == [True], "the apps were not analysed in a forked copy"
    assert parallel.diagnostics and parallel.diagnostics == serial.diagnostics
