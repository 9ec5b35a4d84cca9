"""ST006 duplicate-widget-key: two elements with the same key in one run."""

from __future__ import annotations

from collections.abc import Iterator

from streamlit_lsp.analysis.model import Model
from streamlit_lsp.diagnostics import Diagnostic, Severity
from streamlit_lsp.rules.base import Rule
from streamlit_lsp.rules.common import diagnostic, related, unique

CODE = "ST006"


def check(model: Model) -> Iterator[Diagnostic]:
    yield from unique(_check(model))


def _check(model: Model) -> Iterator[Diagnostic]:
    for app in model.apps:
        for trace in model.analysis(app).any_run.values():
            for seen in trace.widgets:
                first = seen.duplicate_of
                if first is None:
                    continue
                place = f"{first.path.name}:{first.widget.span.line}"
                yield diagnostic(
                    CODE,
                    RULE.severity,
                    seen.path,
                    seen.widget.span,
                    f"Another element already uses key {seen.key!r} ({first.widget.command} at {place}): "
                    "Streamlit raises StreamlitDuplicateElementKey",
                    seen.key,
                    [related(first.path, first.widget.span, "first element with this key")],
                )


RULE = Rule(
    code=CODE,
    name="duplicate-widget-key",
    severity=Severity.ERROR,
    summary="Two elements with the same key in one run.",
    what_it_does="""
Finds a keyed element created when another element with the same key was certainly
created earlier in the same run: widgets, and also `st.container`, `st.expander`,
`st.tabs`, `st.popover` and `st.link_button` keys, which share one key space; two
`st.form`s with one key. The sidebar and the main area share keys; different pages do
not. Elements in exclusive branches, and keys built from a parameter (`f"name_{i}"`),
are not reported.
""",
    why_it_matters="""
Streamlit raises `StreamlitDuplicateElementKey` at the second element: "There are
multiple elements with the same key".
""",
    example="""
left, right = st.columns(2)
a = left.text_input("Product A", key="product")
b = right.text_input("Product B", key="product")   # ST006
""",
    fix="Give each element its own key; in a helper called several times, take the key (or a prefix) as a parameter.",
    check=check,
)
