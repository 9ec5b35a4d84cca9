"""ST004 value-and-state-conflict: a widget gets a default and its key is set through state."""

from __future__ import annotations

from collections.abc import Iterator

from streamlit_lsp.analysis.facts import AccessKind
from streamlit_lsp.analysis.model import Model
from streamlit_lsp.diagnostics import Diagnostic, Severity
from streamlit_lsp.rules.base import Rule
from streamlit_lsp.rules.common import diagnostic, related, unique

CODE = "ST004"
WRITING = (AccessKind.WRITE, AccessKind.AUGMENT, AccessKind.SETDEFAULT)


def check(model: Model) -> Iterator[Diagnostic]:
    yield from unique(_check(model))


def _check(model: Model) -> Iterator[Diagnostic]:
    for app in model.apps:
        analysis = model.analysis(app)
        for run, trace in analysis.any_run.items():
            callback_writes = {}
            for write in analysis.callbacks[run].writes:
                if write.access.kind in WRITING:
                    callback_writes.setdefault(write.key, []).append(write)
            for seen in trace.widgets:
                widget = seen.widget
                if widget.has_default is not True or widget.readonly or widget.is_form:
                    continue
                writes = [write for write in seen.prior_writes if write.access.kind in WRITING]
                writes += callback_writes.get(seen.key, [])
                if not writes:
                    continue
                first = writes[0]
                yield diagnostic(
                    CODE,
                    RULE.severity,
                    seen.path,
                    widget.span,
                    f"The {widget.command} with key {seen.key!r} is given a default value, but its key is "
                    f"also set through Session State ({first.path.name}:{first.access.span.line}): Streamlit "
                    "ignores the default and logs a warning",
                    seen.key,
                    [
                        related(write.path, write.access.span, "Session State value set here")
                        for write in writes
                    ],
                )


RULE = Rule(
    code=CODE,
    name="value-and-state-conflict",
    severity=Severity.WARNING,
    summary="A widget gets a default value and its key is also set through Session State.",
    what_it_does="""
Finds widgets created with a default (`value=`, `index=` >= 1, `default=`... exactly as
Streamlit computes it: `index=0`, `value=False`, `value=""` and `pills(default=[])` do
not count, `multiselect(default=[])` does, `st.pagination` always does) whose key is
written through Session State earlier in the same run or in a callback.
""",
    why_it_matters="""
Streamlit uses the Session State value, silently ignores the default, and logs "The
widget with key ... was created with a default value but also had its value set via the
Session State API". Two sources of truth for one value confuse readers and users.
""",
    example="""
st.session_state.setdefault("tags", ["bug"])
st.multiselect("Tags", TAGS, default=[], key="tags")   # ST004
""",
    fix="Keep one source: drop the widget's default, or stop setting the key through Session State.",
    check=check,
)
