"""ST004 value-and-state-conflict: a widget gets a default and its key is set through state."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType

from streamlit_lsp.analysis.facts import AccessKind
from streamlit_lsp.analysis.flow import Trace, WidgetSeen, WriteSeen
from streamlit_lsp.analysis.model import Model
from streamlit_lsp.diagnostics import Diagnostic, Severity
from streamlit_lsp.rules.base import Rule
from streamlit_lsp.rules.common import diagnostic, related, unique

CODE = "ST004"
WRITING = (AccessKind.WRITE, AccessKind.AUGMENT, AccessKind.SETDEFAULT)
_NO_WRITES: Mapping[str, list[WriteSeen]] = MappingProxyType({})


def check(model: Model) -> Iterator[Diagnostic]:
    yield from unique(_check(model))


def _check(model: Model) -> Iterator[Diagnostic]:
    for app in model.apps:
        analysis = model.analysis(app)
        for run, trace in analysis.any_run.items():
            callbacks = analysis.callbacks[run]
            callback_writes = (
                callbacks.derive(CODE, _writes_by_key) if callbacks.writes else _NO_WRITES
            )
            for seen in trace.derive(CODE, _defaulted_widgets):
                writes = [write for write in seen.prior_writes if write.access.kind in WRITING]
                writes += callback_writes.get(seen.key, ())
                if not writes:
                    continue
                widget = seen.widget
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


def _defaulted_widgets(trace: Trace) -> tuple[WidgetSeen, ...]:
    """The run's widgets given a default (kept with the trace: the writes to their
    keys are looked at each time, the run's own and its callbacks')."""
    return tuple(
        seen
        for seen in trace.widgets
        if seen.widget.has_default is True and not seen.widget.readonly and not seen.widget.is_form
    )


def _writes_by_key(callbacks: Trace) -> Mapping[str, list[WriteSeen]]:
    """The writes of a run's callbacks, by key (most runs' share one empty mapping)."""
    writes: dict[str, list[WriteSeen]] = {}
    for write in callbacks.writes:
        if write.access.kind in WRITING:
            writes.setdefault(write.key, []).append(write)
    return writes or _NO_WRITES


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
