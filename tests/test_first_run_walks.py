"""The first-run walk of a run is skipped when it cannot change a finding.

Only reads that raise on a missing key and are not guarded are read from a first-run
trace (ST001, ST002), and the first-run walk sees no such read that the run's any-run
walk does not see too (``flow.first_run_matters``). These tests pin the skip down and
check, over every labelled fixture and a generated workspace of many apps, that the
property it rests on holds and that no finding changes with it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from generated import generate
from labelled import OWN_FIXTURES, load_cases, shared_fixtures
from spies import calls_of
from streamlit_lsp.analysis import flow
from streamlit_lsp.analysis.flow import Mode
from streamlit_lsp.analysis.model import KeyTable, Model
from streamlit_lsp.checker import build_model, check_paths

FIRST_VISIT = OWN_FIXTURES / "workspaces" / "first_visit"


def _walked(calls: list[tuple[object, ...]], mode: Mode) -> list[str]:
    """The scripts walked in ``mode``, from spied ``flow._walk`` calls."""
    names = []
    for arguments in calls:
        walk_mode = arguments[3] if len(arguments) > 3 else Mode.FIRST_RUN
        if walk_mode is mode:
            names.append(arguments[2].script.name)  # type: ignore[attr-defined]
    return sorted(names)


def _always(any_run: object, initialises: object) -> bool:
    return True


def test_only_runs_reading_an_initialised_key_unguarded_are_walked_as_a_first_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """2_Early reads a key before the line that initialises it (ST002, found by the
    first-run walk); 3_Typo reads a key nothing initialises (ST001, found by the
    any-run walk); the other pages guard every read."""
    walks = calls_of(monkeypatch, flow, "_walk")
    result = check_paths([FIRST_VISIT])
    assert _walked(walks, Mode.ANY_RUN) == [
        "1_Guarded.py",
        "2_Early.py",
        "3_Typo.py",
        "app.py",
    ]
    assert _walked(walks, Mode.FIRST_RUN) == ["2_Early.py"]
    assert [(item.code, item.path.name, item.span.line) for item in result.diagnostics] == [
        ("ST002", "2_Early.py", 5),
        ("ST001", "3_Typo.py", 5),
    ]


def test_a_run_whose_walk_ran_out_of_budget_is_walked_as_a_first_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past its budget a walk no longer inlines calls: its trace may lack reads."""
    walk_run = flow.Walker.walk_run

    def exhausting(self: flow.Walker, run: object) -> flow.State:
        state = walk_run(self, run)  # type: ignore[arg-type]
        if self.mode is Mode.ANY_RUN:
            self.budget.remaining = 0
        return state

    monkeypatch.setattr(flow.Walker, "walk_run", exhausting)
    walks = calls_of(monkeypatch, flow, "_walk")
    check_paths([FIRST_VISIT])
    assert _walked(walks, Mode.FIRST_RUN) == [
        "1_Guarded.py",
        "2_Early.py",
        "3_Typo.py",
        "app.py",
    ]


def _corpus(tmp_path: Path) -> list[Path]:
    cases = [*load_cases(shared_fixtures()), *load_cases(OWN_FIXTURES)]
    targets = sorted({case.target for case in cases})
    assert len(targets) > 20, "the labelled fixtures were not found"
    workspace = tmp_path / "generated"
    generate(workspace, 150, seed=7)
    return [*targets, FIRST_VISIT, workspace]


def test_a_first_run_sees_no_unguarded_read_the_any_run_does_not(tmp_path: Path) -> None:
    """The property the skip rests on, with both walks taken in full."""
    for target in _corpus(tmp_path):
        model = build_model(target)
        for app in model.apps:
            for run in app.runs:
                first = flow._walk(model.program, app, run)
                other = flow._walk(model.program, app, run, Mode.ANY_RUN)
                assert first.complete and other.complete
                seen = {(read.path, read.access, read.key) for read in other.raising_reads}
                missed = [
                    (read.path.name, read.access.span.line, read.key)
                    for read in first.raising_reads
                    if (read.path, read.access, read.key) not in seen
                ]
                assert not missed, (target, run.label, missed)


def test_skipping_first_run_walks_changes_no_finding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No cache: a second check of a folder would take the first one's findings.
    monkeypatch.setenv("STREAMLIT_LSP_CACHE_DIR", "")
    corpus = _corpus(tmp_path)
    skipping = [check_paths([target]).diagnostics for target in corpus]
    monkeypatch.setattr(flow, "first_run_matters", _always)
    walking = [check_paths([target]).diagnostics for target in corpus]
    assert skipping == walking
    assert any(skipping), "the corpus has findings to compare"


def test_the_walks_of_an_app_ask_for_its_key_table_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whether a run's first-run walk matters is asked of each unguarded read of its
    any-run trace, against the app's key table: the table is asked for once per app,
    not once per read."""
    model = build_model(FIRST_VISIT)
    asked = calls_of(monkeypatch, Model, "keys")
    answered = calls_of(monkeypatch, KeyTable, "initialises")
    for app in model.apps:
        for _ in model.analysis_steps(app):
            pass
    assert len(answered) >= 2
    assert len(asked) == len(model.apps) == 1
