"""ST001 uninitialized-key: a key is read but nothing in the app ever initialises it."""

from __future__ import annotations

from collections.abc import Iterator

from streamlit_lsp.analysis.flow import ReadSeen, Trace
from streamlit_lsp.analysis.model import Model
from streamlit_lsp.diagnostics import Diagnostic, Severity
from streamlit_lsp.rules.base import Rule
from streamlit_lsp.rules.common import diagnostic, missing_key_error, state_expr, unique

CODE = "ST001"


def check(model: Model) -> Iterator[Diagnostic]:
    yield from unique(_check(model))


def _check(model: Model) -> Iterator[Diagnostic]:
    for app in model.apps:
        table = model.keys(app)
        if table.opaque or table.external_state_users:
            # Some file hides what it writes, or an add-on package keeps keys of its own:
            # "never initialised" cannot be claimed.
            continue
        analysis = model.analysis(app)
        traces = [
            analysis.first_run,
            *analysis.any_run.values(),
            *analysis.callbacks.values(),
            analysis.standalone,
        ]
        for trace in traces:
            if not trace.raising_reads:
                continue  # (most traces: nothing kept for them)
            candidates = trace.derive(CODE, _Candidates)
            for position, read in enumerate(trace.raising_reads):
                if not table.initialises(read.key):  # (the table keeps its answers)
                    yield candidates.diagnostic(position, read)


class _Candidates:
    """The diagnostics of a trace's unguarded raising reads, made when first reported
    and kept with the trace (only the key table's answer changes when another run's
    code does); reads of keys the app initialises (most of them) get none."""

    __slots__ = ("_made",)

    def __init__(self, trace: Trace) -> None:
        self._made: dict[int, Diagnostic] | None = None

    def diagnostic(self, position: int, read: ReadSeen) -> Diagnostic:
        if self._made is None:
            self._made = {}
        made = self._made.get(position)
        if made is None:
            made = self._made[position] = diagnostic(
                CODE,
                RULE.severity,
                read.path,
                read.access.span,
                f"{state_expr(read.key, read.access)} is read but nothing in the app initialises "
                f"it: Streamlit raises {missing_key_error(read.access)}",
                read.key,
            )
        return made


RULE = Rule(
    code=CODE,
    name="uninitialized-key",
    severity=Severity.ERROR,
    summary="A key is read but nothing in the app ever initialises it.",
    what_it_does="""
Finds reads of `st.session_state` keys (`ss.k`, `ss["k"]`, `ss.k += 1`, `ss.pop("k")`,
`del ss["k"]`) when no code anywhere in the app (entry script, pages, imported modules,
callbacks) assigns the key, calls `setdefault` or `update` with it, or creates a widget
with that `key=`. Apps that use a Streamlit add-on package from outside the workspace
(`streamlit_authenticator`, `streamlit_extras`...), which keep keys of their own, are
left alone. Reads protected by a guard (`if "k" in ss:`, `try/except KeyError`)
and never-raising forms (`.get`, `"k" in ss`, `.pop("k", None)`) are not reported. A key
written with a computed name (`ss[f"row_{i}"] = 0`) makes the rule stay silent about
every key that name could produce.
""",
    why_it_matters="""
`st.session_state` raises on a missing key: `KeyError` for `ss["k"]`, `AttributeError`
for `ss.k`. The app crashes the first time that line runs, typically in front of a user.
""",
    example="""
import streamlit as st

if st.button("Increment"):
    st.session_state.clicks += 1   # ST001: nothing initialises "clicks"
st.metric("Clicks", st.session_state.clicks)
""",
    fix="""
Initialise the key before any read, at the top of the entry script (or in a function
every page calls): `st.session_state.setdefault("clicks", 0)`. Or read it with
`st.session_state.get("clicks", 0)`.
""",
    check=check,
)
