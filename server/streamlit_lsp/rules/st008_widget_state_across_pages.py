"""ST008 widget-state-across-pages: a widget key created on one page is read on another."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from streamlit_lsp.analysis.flow import ReadSeen, Trace, WidgetSeen
from streamlit_lsp.analysis.model import Model
from streamlit_lsp.analysis.program import App
from streamlit_lsp.diagnostics import Diagnostic, Severity
from streamlit_lsp.rules.base import Rule
from streamlit_lsp.rules.common import diagnostic, related, unique

CODE = "ST008"


@dataclass(frozen=True)
class CrossPageRead:
    read: ReadSeen
    widget: WidgetSeen


def cross_page_reads(model: Model, app: App) -> list[CrossPageRead]:
    """Reads, on one page, of a widget key that only a widget of another page creates.

    Shared with ST002: such a read is labelled ST008 only (RULES.md section 5).
    """
    return model.memo((CODE, app), partial(_cross_page_reads, model, app))


def _cross_page_reads(model: Model, app: App) -> list[CrossPageRead]:
    if len(app.runs) < 2:
        return []
    analysis = model.analysis(app)
    table = model.keys(app)
    not_lost = table.persisted_names | table.written_names
    traces = list(analysis.any_run.values())
    # The keys each run's widgets store and those it reads the value of are kept with
    # its trace: an edit reads again the reads of the runs that may read another
    # page's widget, not every read of every run.
    stored = [frozenset(trace.stored_widget_keys) for trace in traces]
    stored_anywhere = frozenset().union(*stored) - not_lost
    found = []
    for number, trace in enumerate(traces):
        keys = stored_anywhere.intersection(trace.value_read_keys) - stored[number]
        if not keys:
            continue
        for read in trace.reads:
            if read.key in keys and read.access.kind.reads_value:
                # The first run whose widget stores the key names it: another run, since
                # this one stores no such key.
                owner = next(
                    other for other, its in zip(traces, stored, strict=True) if read.key in its
                )
                found.append(CrossPageRead(read, _widget_storing(owner, read.key)))
    return found


def _widget_storing(trace: Trace, key: str) -> WidgetSeen:
    """The run's (last) widget that keeps ``key``'s value."""
    return next(
        seen for seen in reversed(trace.widgets) if seen.key == key and seen.widget.stores_value
    )


def check(model: Model) -> Iterator[Diagnostic]:
    yield from unique(_check(model))


def _check(model: Model) -> Iterator[Diagnostic]:
    for app in model.apps:
        for item in cross_page_reads(model, app):
            widget = item.widget
            page = widget.path.name
            yield diagnostic(
                CODE,
                RULE.severity,
                item.read.path,
                item.read.access.span,
                f"{item.read.key!r} is the key of a {widget.widget.command} on {page}; on this page "
                "that widget does not exist, so its value is dropped after the page switch",
                item.read.key,
                [
                    related(
                        widget.path,
                        widget.widget.span,
                        f"the {widget.widget.command} is created here",
                    )
                ],
            )


RULE = Rule(
    code=CODE,
    name="widget-state-across-pages",
    severity=Severity.WARNING,
    summary="A widget key created on one page is read on another, where its value is gone.",
    what_it_does="""
In a multipage app (a `pages/` folder or `st.navigation`), finds reads on one page of a
key that belongs to a widget created only on another page. Widgets created in the
`st.navigation` entry script (rendered on every page), widgets with
`persist_state="session"` or `bind="query-params"`, and keys also written through
Session State are not reported.
""",
    why_it_matters="""
Streamlit removes a widget's value at the end of the first run in which the widget was
not rendered. After switching pages the old page's value is readable for exactly one
run, then it is gone: an unguarded read raises, a guarded one silently falls back to
its default.
""",
    example="""
# pages/1_Filters.py
st.slider("Minimum score", 0, 100, key="min_score")

# pages/2_Results.py
min_score = st.session_state.get("min_score", 0)   # ST008: gone after one rerun
""",
    fix="""
Copy the value into a plain key the widget does not own (`on_change=lambda:
st.session_state.update(saved_min=st.session_state.min_score)`), create the widget in
the `st.navigation` entry script, or pass `persist_state="session"` to the widget.
""",
    check=check,
)
