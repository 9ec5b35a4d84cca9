"""The runtime is the judge: every error a fixture app raises must be one the engine reported.

Why: labels can be wrong and rules can be too narrow; Streamlit cannot. Each case (the
shared fixtures and, when present, the repository's own ``tests/fixtures``) is run under
AppTest by ``tests/runtime/harness.py`` and checked with the engine. Every runtime event
except "Other" must be explained by an engine diagnostic in the same file that sits on
the event's line, or that points at it through one of its related locations (ST005 with
the write before the widget: Streamlit raises at the widget, the engine reports the
write and relates the widget), with a code that can cause that event.

The engine is imported inside the test on purpose: until ``streamlit_lsp.checker`` lands
these tests fail with its ImportError (they are the contract), while collection and the
harness tests keep working.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any

import pytest

try:  # rootdir-relative import when tests/ is a package, else pytest's prepend mode
    from tests.runtime.harness import (
        CODES_FOR_KIND,
        FIXTURES_ENV_VAR,
        OTHER,
        HarnessError,
        RuntimeEvent,
        case_target,
        format_events,
        load_cases,
        observe_case,
    )
except ImportError:
    from runtime.harness import (  # type: ignore[no-redef]
        CODES_FOR_KIND,
        FIXTURES_ENV_VAR,
        OTHER,
        HarnessError,
        RuntimeEvent,
        case_target,
        format_events,
        load_cases,
        observe_case,
    )

# Runs real apps under AppTest (about half a second per case).
pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[1]
LOCAL_ROOT = REPO_ROOT / "tests" / "fixtures"


def shared_fixtures_root() -> Path:
    """``$STREAMLIT_LSP_FIXTURES`` if set, else ``shared/fixtures`` beside the repository."""
    override = os.environ.get(FIXTURES_ENV_VAR)
    if override:
        return Path(override).resolve()
    return REPO_ROOT.parent / "shared" / "fixtures"


SHARED_ROOT = shared_fixtures_root()


@functools.cache
def _cases(root: Path) -> dict[str, dict[str, Any]]:
    return load_cases(root)


def _case_params() -> list[Any]:
    params: list[Any] = []
    if (SHARED_ROOT / "expected.json").is_file():
        params += [
            pytest.param(SHARED_ROOT, name, id=f"shared/{name}") for name in _cases(SHARED_ROOT)
        ]
    else:
        reason = f"shared fixtures not found at {SHARED_ROOT} (set ${FIXTURES_ENV_VAR})"
        params.append(
            pytest.param(None, None, id="no-shared-fixtures", marks=pytest.mark.skip(reason=reason))
        )
    if (LOCAL_ROOT / "expected.json").is_file():
        params += [
            pytest.param(LOCAL_ROOT, name, id=f"local/{name}") for name in _cases(LOCAL_ROOT)
        ]
    return params


def _same_file(path: Path | str, event: RuntimeEvent) -> bool:
    return Path(path).resolve() == event.path


def _explains(diagnostic: Any, event: RuntimeEvent) -> bool:
    """Compatible code, and the diagnostic or one of its related locations is on the line."""
    if diagnostic.code not in CODES_FOR_KIND.get(event.kind, frozenset()):
        return False
    if _same_file(diagnostic.path, event) and diagnostic.span.line == event.line:
        return True
    return any(
        _same_file(related.path, event) and related.span.line == event.line
        for related in diagnostic.related
    )


def _format_diagnostics(diagnostics: list[Any]) -> str:
    if not diagnostics:
        return "  (none)"
    rows = []
    for d in diagnostics:
        related = ", ".join(f"{Path(r.path).name}:{r.span.line}" for r in d.related)
        rows.append(
            f"  {d.code} key={d.key!r} at {Path(d.path).name}:{d.span.line}"
            + (f" (related {related})" if related else "")
        )
    return "\n".join(rows)


@pytest.mark.parametrize(("root", "name"), _case_params())
def test_engine_reports_every_runtime_error(root: Path, name: str) -> None:
    from streamlit_lsp.checker import check_paths

    case = _cases(root)[name]
    try:
        observation = observe_case(root, case)
    except HarnessError as exc:
        observation, error = None, str(exc)
    if observation is None:
        pytest.fail(f"{name}: the app could not be run under AppTest: {error}", pytrace=False)
    result = check_paths([case_target(root, case)])
    diagnostics = list(result.diagnostics)
    judged = [event for event in observation.events if event.kind != OTHER]
    unexplained = [e for e in judged if not any(_explains(d, e) for d in diagnostics)]
    if unexplained:
        pytest.fail(
            f"{name}: runtime errors the engine did not report:\n{format_events(unexplained)}\n"
            f"engine diagnostics:\n{_format_diagnostics(diagnostics)}",
            pytrace=False,
        )
