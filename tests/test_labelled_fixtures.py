"""The labelled apps pass: exactly the expected diagnostics, nothing more.

Each case is asserted on (code, path, line, key). The shared fixtures come from beside
the repository (CI has them); when they are missing the test says so and skips.
"""

from __future__ import annotations

import pytest

from labelled import OWN_FIXTURES, Case, engine_labels, load_cases, shared_fixtures

SHARED = load_cases(shared_fixtures())
OWN = load_cases(OWN_FIXTURES)


def _compare(case: Case) -> None:
    found = engine_labels(case)
    missing = sorted(case.labels - found)
    unexpected = sorted(found - case.labels)
    assert not missing and not unexpected, (
        f"{case.name}: missing {missing or 'nothing'}; unexpected {unexpected or 'nothing'}"
    )


@pytest.mark.skipif(
    not SHARED,
    reason=f"shared fixtures not found at {shared_fixtures()} (set STREAMLIT_LSP_FIXTURES)",
)
@pytest.mark.parametrize("case", SHARED, ids=lambda case: case.name)
def test_shared_fixture(case: Case) -> None:
    _compare(case)


@pytest.mark.parametrize("case", OWN, ids=lambda case: case.name)
def test_own_fixture(case: Case) -> None:
    _compare(case)


def test_own_fixtures_exist() -> None:
    assert len(OWN) >= 30, "tests/fixtures/expected.json should label our own cases"
