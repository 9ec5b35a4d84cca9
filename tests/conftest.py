"""Test setup: make ``tests/`` helpers importable; an empty facts cache per test; facts
that refuse to be changed."""

import sys
from pathlib import Path

import pytest

from streamlit_lsp.analysis import facts, flow
from streamlit_lsp.analysis.model import KeyedAccess, KeyedWidget
from streamlit_lsp.analysis.program import KeySet
from streamlit_lsp.diagnostics import Span
from streamlit_lsp.records import guard_writes

sys.path.insert(0, str(Path(__file__).parent))

# Facts are immutable by contract, declared frozen to type checkers, not checked at run
# time (``records``): here every assignment to a fact's field fails, as it would on a
# frozen dataclass, so no tested code path can change facts the index shares.
for _record in (Span, *(c for c in vars(facts).values() if isinstance(c, type))):
    if _record is not facts._Fact and issubclass(_record, (Span, facts._Fact)):
        guard_writes(_record)
# And the run simulation's observations, records too.
for _record in (
    flow.Context,
    flow.ReadSeen,
    flow.WidgetSeen,
    flow.WriteSeen,
    KeySet,
    KeyedAccess,
    KeyedWidget,
):
    guard_writes(_record)


@pytest.fixture(autouse=True)
def _facts_cache_per_test(tmp_path_factory, monkeypatch):
    """Every test (and every server or CLI it starts) gets a fresh, empty facts cache:
    nothing is read from or written to the user's own cache directory."""
    monkeypatch.setenv("STREAMLIT_LSP_CACHE_DIR", str(tmp_path_factory.mktemp("facts-cache")))


@pytest.fixture
def analysed_apps(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The entry scripts of the apps whose rules run from now on (in this process)."""
    from streamlit_lsp import checker

    entries: list[Path] = []
    original = checker._app_diagnostics

    def spy(model, app):
        entries.append(app.entry)
        return original(model, app)

    monkeypatch.setattr(checker, "_app_diagnostics", spy)
    return entries
