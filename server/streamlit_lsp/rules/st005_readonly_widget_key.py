"""ST005 readonly-widget-key: a key owned by a button, uploader, form... is written."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType

from streamlit_lsp.analysis.facts import AccessKind
from streamlit_lsp.analysis.flow import Trace, WidgetSeen, WriteSeen
from streamlit_lsp.analysis.model import Model
from streamlit_lsp.diagnostics import Diagnostic, Severity
from streamlit_lsp.rules.base import Rule
from streamlit_lsp.rules.common import diagnostic, related, state_expr, unique

CODE = "ST005"
WRITING = (AccessKind.WRITE, AccessKind.AUGMENT, AccessKind.SETDEFAULT)
_NO_WIDGETS: Mapping[str, WidgetSeen] = MappingProxyType({})


def _report(write: WriteSeen, widget: WidgetSeen, how: str) -> Diagnostic:
    owner = "form" if widget.widget.is_form else widget.widget.command
    return diagnostic(
        CODE,
        RULE.severity,
        write.path,
        write.access.span,
        f"{state_expr(write.key)} belongs to the {owner} created at {widget.path.name}:"
        f"{widget.widget.span.line} and is read-only: {how}",
        write.key,
        [related(widget.path, widget.widget.span, f"read-only {owner} key created here")],
    )


def check(model: Model) -> Iterator[Diagnostic]:
    yield from unique(_check(model))


def _check(model: Model) -> Iterator[Diagnostic]:
    for app in model.apps:
        analysis = model.analysis(app)
        for run, trace in analysis.any_run.items():
            readonly, found = trace.derive(CODE, _in_run)
            yield from found
            for write in analysis.callbacks[run].writes:
                seen = readonly.get(write.key)
                if seen is not None and write.access.kind in WRITING:
                    yield _report(
                        write, seen, "after this callback the widget raises StreamlitAPIException"
                    )


def _in_run(trace: Trace) -> tuple[Mapping[str, WidgetSeen], tuple[Diagnostic, ...]]:
    """The run's read-only widgets by key, and what the run itself does wrong with them
    (kept with the trace; its callbacks' writes are checked against the widgets). Most
    runs have none: they share one empty mapping."""
    readonly = {
        seen.key: seen for seen in trace.widgets if seen.widget.readonly or seen.widget.is_form
    }
    found = []
    for write in trace.writes:
        widget = write.after_widget
        readonly_widget = widget is not None and (widget.widget.readonly or widget.widget.is_form)
        if readonly_widget and write.access.kind in (AccessKind.WRITE, AccessKind.AUGMENT):
            found.append(_report(write, widget, "assigning it raises StreamlitAPIException"))
    for seen in readonly.values():
        for write in seen.prior_writes:
            if write.access.kind in WRITING:
                found.append(
                    _report(
                        write,
                        seen,
                        "creating the widget after this write raises StreamlitAPIException",
                    )
                )
    return readonly or _NO_WIDGETS, tuple(found)


RULE = Rule(
    code=CODE,
    name="readonly-widget-key",
    severity=Severity.ERROR,
    summary="A key owned by a button, uploader, form, data editor... is written through Session State.",
    what_it_does="""
Finds writes (assignment, `+=`, `update`, `setdefault`) to the key of an element whose
value cannot be set through Session State: `st.button`, `st.download_button`,
`st.form_submit_button`, `st.link_button(key=...)`, `st.menu_button`,
`st.file_uploader`, `st.camera_input`, `st.audio_input`, `st.data_editor`, `st.form`,
and charts with `on_select`. Writes before the widget, after it, and in callbacks are all
reported. `del` and `pop` are allowed and not reported; `st.chat_input` is writable.
""",
    why_it_matters="""
Streamlit raises `StreamlitAPIException`: at the widget call when the key was written
earlier in the run or by a callback (`st.session_state['k'] is read-only`), or at the
write when the widget already exists.
""",
    example="""
def start_over():
    st.session_state.csv_file = None   # ST005

st.button("Start over", on_click=start_over)
st.file_uploader("Upload a CSV", key="csv_file")
""",
    fix="""
Keep your own value under a different key. To reset an uploader or editor, change its
`key` (e.g. a counter in the key) or `del st.session_state[key]` in a callback.
""",
    check=check,
)
