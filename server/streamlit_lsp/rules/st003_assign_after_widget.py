"""ST003 assign-after-widget: a widget's key is assigned after the widget was created."""

from __future__ import annotations

from collections.abc import Iterator

from streamlit_lsp.analysis.facts import AccessKind
from streamlit_lsp.analysis.model import Model
from streamlit_lsp.diagnostics import Diagnostic, Severity
from streamlit_lsp.rules.base import Rule
from streamlit_lsp.rules.common import diagnostic, related, state_expr, unique

CODE = "ST003"


def check(model: Model) -> Iterator[Diagnostic]:
    yield from unique(_check(model))


def _check(model: Model) -> Iterator[Diagnostic]:
    for app in model.apps:
        for trace in model.analysis(app).any_run.values():
            for write in trace.writes:
                widget = write.after_widget
                if widget is None or widget.widget.readonly or widget.widget.is_form:
                    continue  # read-only keys are ST005
                if write.access.kind not in (AccessKind.WRITE, AccessKind.AUGMENT):
                    continue
                place = (
                    f"line {widget.widget.span.line}"
                    if widget.path == write.path
                    else f"{widget.path.name}:{widget.widget.span.line}"
                )
                yield diagnostic(
                    CODE,
                    RULE.severity,
                    write.path,
                    write.access.span,
                    f"{state_expr(write.key)} is assigned after the {widget.widget.command} with key "
                    f"{write.key!r} was created ({place}): Streamlit raises StreamlitAPIException",
                    write.key,
                    [related(widget.path, widget.widget.span, "widget created here")],
                )


RULE = Rule(
    code=CODE,
    name="assign-after-widget",
    severity=Severity.ERROR,
    summary="A widget's key is assigned after the widget was created in the same run.",
    what_it_does="""
Finds assignments to a widget's key (`ss.k = v`, `ss["k"] = v`, `ss.k += 1`,
`ss.update(k=v)`) that run after the widget with that key was created in the same run,
including through helper functions and inside fragments. `setdefault`, `del` and
`pop` after the widget, writes before it, and writes in `on_change`/`on_click`
callbacks (which run before the script) are fine and not reported.
""",
    why_it_matters="""
Streamlit refuses the write with `StreamlitAPIException: st.session_state['k'] cannot be
modified after the widget with that key is instantiated`, and the app stops there.
""",
    example="""
query = st.text_input("Query", key="query")
st.session_state["query"] = query.strip().lower()   # ST003
""",
    fix="""
Change the value in a callback (`on_change=normalise`), which runs before the widget is
created, or assign the key before the widget call. To clear a form field after submit,
use `st.form(..., clear_on_submit=True)` or the submit button's `on_click`.
""",
    check=check,
)
