"""ST010 callback-reads-return-value: a callback reads a widget's (stale) return variable."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

from streamlit_lsp.analysis.facts import (
    FileFacts,
    FunctionFacts,
    LiteralKey,
    WidgetBinding,
    WidgetCall,
)
from streamlit_lsp.analysis.model import Model, iter_nodes
from streamlit_lsp.diagnostics import Diagnostic, Severity
from streamlit_lsp.rules.base import Rule
from streamlit_lsp.rules.common import diagnostic, related, unique

CODE = "ST010"


def check(model: Model) -> Iterator[Diagnostic]:
    yield from unique(_check(model))


def _callbacks(facts: FileFacts) -> set[str]:
    """Same-file functions registered as ``on_change``/``on_click`` anywhere in the file."""
    names: set[str] = set()
    blocks = [facts.body, *(function.body for function in facts.functions)]
    for block in blocks:
        for node in iter_nodes(block):
            if isinstance(node, WidgetCall):
                names.update(
                    callback.function.name
                    for callback in node.callbacks
                    if callback.function.module is None
                )
    return names


def _binding(
    bindings: list[WidgetBinding], name: str, function: FunctionFacts
) -> WidgetBinding | None:
    scopes = []
    enclosing = function.qualname
    while "." in enclosing:
        enclosing = enclosing.rsplit(".", 1)[0]
        scopes.append(enclosing)
    scopes.append("")
    for scope in scopes:
        for binding in bindings:
            if binding.name == name and binding.scope == scope:
                return binding
    return None


def _check(model: Model) -> Iterator[Diagnostic]:
    seen_files: set[Path] = set()
    for app in model.apps:
        for path in sorted(app.files):
            if path in seen_files:
                continue
            seen_files.add(path)
            # A file's findings depend on its facts alone: kept while they are unchanged.
            yield from model.memo((CODE, path), partial(_file_findings, model, path))


def _file_findings(model: Model, path: Path) -> list[Diagnostic]:
    return list(_in_file(model, path))


def _in_file(model: Model, path: Path) -> Iterator[Diagnostic]:
    facts = model.program.facts(path)
    if facts is None or not facts.widget_bindings:
        return
    bindings = [b for b in facts.widget_bindings if isinstance(b.widget.key, LiteralKey)]
    for qualname in sorted(_callbacks(facts)):
        function = facts.function(qualname)
        if function is None:
            continue
        for name, span in function.free_loads:
            binding = _binding(bindings, name, function)
            if binding is None:
                continue
            key = binding.widget.key.value  # type: ignore[union-attr]
            label = (
                "lambda"
                if function.qualname.split(".")[-1].startswith("<lambda")
                else function.qualname.split(".")[-1]
            )
            yield diagnostic(
                CODE,
                RULE.severity,
                path,
                span,
                f"Callback {label} reads {name}, the return value of the {binding.widget.command} with "
                f"key {key!r}, which still holds the previous run's value when the callback runs; "
                f"read st.session_state[{key!r}] instead",
                key,
                [
                    related(
                        path,
                        binding.widget.span,
                        f"{name} is assigned from this {binding.widget.command}",
                    )
                ],
            )


RULE = Rule(
    code=CODE,
    name="callback-reads-return-value",
    severity=Severity.WARNING,
    summary="A callback reads the widget's return variable (stale) instead of the key.",
    what_it_does="""
Finds `on_change`/`on_click` callbacks (functions, lambdas, `functools.partial`) that
read a variable assigned from a keyed widget's return value, such as
`note = st.text_input(..., key="note")`, instead of `st.session_state["note"]`.
""",
    why_it_matters="""
Callbacks run at the start of the next run, before the script body. The variable still
holds the value from the previous run, while `st.session_state[key]` already holds the
new one: the callback silently works with stale data.
""",
    example="""
def save_note():
    ss.saved_notes.append(note)   # ST010: the previous value of the input

note = st.text_input("Note", key="note")
st.button("Save", on_click=save_note)
""",
    fix="Read `st.session_state.note` in the callback, or pass the key through `args=`.",
    check=check,
)
