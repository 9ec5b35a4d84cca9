"""The runtime harness sees what the fixture labels say.

Why: the agreement test trusts ``tests/runtime/harness.py`` to report every error a
fixture app raises under AppTest. This file checks that trust against the labelled cases:
each ST001-ST006 label must show up as a runtime event of the matching kind at its
``runtime_line`` (or ``line``), in its ``run`` when given, with its key; negative cases
must raise nothing; the ``expect`` sanity checks of the steps must hold (so the steps
really drove the app where the label says); and a labelled app must not raise anything
its labels do not account for.

Each case runs under AppTest once per process (the harness caches), so running this file
together with ``test_runtime_agreement.py`` costs one execution per case.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import pytest

try:  # rootdir-relative import when tests/ is a package, else pytest's prepend mode
    from tests.runtime.harness import (
        FIXTURES_ENV_VAR,
        KINDS_FOR_CODE,
        OTHER,
        HarnessError,
        Observation,
        RuntimeEvent,
        format_events,
        load_cases,
        observe_case,
    )
except ImportError:
    from runtime.harness import (  # type: ignore[no-redef]
        FIXTURES_ENV_VAR,
        KINDS_FOR_CODE,
        OTHER,
        HarnessError,
        Observation,
        RuntimeEvent,
        format_events,
        load_cases,
        observe_case,
    )

# Runs real apps under AppTest (about half a second per case).
pytestmark = pytest.mark.slow


def shared_fixtures_root() -> Path:
    """``$STREAMLIT_LSP_FIXTURES`` if set, else ``shared/fixtures`` beside the repository."""
    override = os.environ.get(FIXTURES_ENV_VAR)
    if override:
        return Path(override).resolve()
    return Path(__file__).resolve().parents[2] / "shared" / "fixtures"


SHARED_ROOT = shared_fixtures_root()


@functools.cache
def _cases(root: Path) -> dict[str, dict[str, Any]]:
    return load_cases(root)


def _case_params() -> list[Any]:
    if not (SHARED_ROOT / "expected.json").is_file():
        reason = f"shared fixtures not found at {SHARED_ROOT} (set ${FIXTURES_ENV_VAR})"
        return [pytest.param(None, id="no-shared-fixtures", marks=pytest.mark.skip(reason=reason))]
    return [pytest.param(name, id=name) for name in _cases(SHARED_ROOT)]


CASE_PARAMS = _case_params()


def _observe(name: str) -> tuple[dict[str, Any], Observation]:
    case = _cases(SHARED_ROOT)[name]
    try:
        return case, observe_case(SHARED_ROOT, case)
    except HarnessError as exc:
        error = str(exc)
    # Failing outside the except block keeps the report to the harness's own message.
    pytest.fail(f"{name}: the app could not be run as labelled: {error}", pytrace=False)


def _label_location(label: dict[str, Any]) -> tuple[Path, int]:
    line = label.get("runtime_line", label["line"])
    return (SHARED_ROOT / label["path"]).resolve(), int(line)


def _label_matches(label: dict[str, Any], event: RuntimeEvent) -> bool:
    """Same file, runtime line and compatible kind (key and run are checked separately)."""
    path, line = _label_location(label)
    return event.path == path and event.line == line and event.kind in KINDS_FOR_CODE[label["code"]]


@pytest.mark.parametrize("name", CASE_PARAMS)
def test_runtime_raises_what_labels_say(name: str) -> None:
    case, observation = _observe(name)
    problems: list[str] = [f"expect failed: {failure}" for failure in observation.expect_failures]
    labels = [d for d in case["diagnostics"] if d["code"] in KINDS_FOR_CODE]
    for label in labels:
        path, line = _label_location(label)
        where = f"{label['code']} key={label['key']!r} at {label['path']}:{line}"
        candidates = [event for event in observation.events if _label_matches(label, event)]
        if not candidates:
            wanted = "/".join(sorted(KINDS_FOR_CODE[label["code"]]))
            problems.append(f"{where}: no {wanted} event at {path.name}:{line}")
            continue
        if "run" in label and not any(event.run == label["run"] for event in candidates):
            runs = sorted({event.run for event in candidates})
            problems.append(f"{where}: expected in run {label['run']}, seen in runs {runs}")
        if not any(event.key == str(label["key"]) for event in candidates):
            keys = sorted({str(event.key) for event in candidates})
            problems.append(f"{where}: runtime key(s) {keys}")
    if not case["diagnostics"] and observation.events:
        problems.append("negative case, but the app raised")
    if problems:
        pytest.fail(
            f"{name}:\n  "
            + "\n  ".join(problems)
            + "\nruntime events:\n"
            + format_events(observation.events),
            pytrace=False,
        )


@pytest.mark.parametrize("name", CASE_PARAMS)
def test_no_unlabelled_runtime_errors(name: str) -> None:
    """Every error the app raises is one of its ST001-ST006 labels (labels are complete)."""
    case, observation = _observe(name)
    labels = [d for d in case["diagnostics"] if d["code"] in KINDS_FOR_CODE]
    unexplained = [
        event
        for event in observation.events
        if event.kind == OTHER or not any(_label_matches(label, event) for label in labels)
    ]
    if unexplained:
        pytest.fail(
            f"{name}: runtime events no label accounts for:\n" + format_events(unexplained),
            pytrace=False,
        )
