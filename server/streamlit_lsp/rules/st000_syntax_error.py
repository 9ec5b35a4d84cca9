"""ST000 syntax-error: the file does not parse, so it is left out of the analysis."""

from __future__ import annotations

from collections.abc import Iterator

from streamlit_lsp.analysis.model import Model
from streamlit_lsp.diagnostics import Diagnostic, Severity
from streamlit_lsp.rules.base import Rule
from streamlit_lsp.rules.common import diagnostic

CODE = "ST000"


def check(model: Model) -> Iterator[Diagnostic]:
    index = model.program.index
    for path in index.unparsed_paths:
        error = index.parse_error(path)
        if error is None:
            continue
        yield diagnostic(
            CODE,
            RULE.severity,
            path,
            error.span,
            f"Syntax error: {error.message}; the file is left out of the session-state analysis",
            None,
        )


RULE = Rule(
    code=CODE,
    name="syntax-error",
    severity=Severity.ERROR,
    summary="The file does not parse; it is left out of the analysis.",
    what_it_does="""
Reports a file that Python cannot parse. Such a file contributes no facts: its
session-state keys, widgets and helper functions are unknown to every other rule.
Files that only a newer Python can parse (for example PEP 701 f-strings on 3.11) are
not reported; the rules that need every file's facts then say nothing about that app.
""",
    why_it_matters="""
Streamlit cannot run a script that does not parse, and the other checks cannot see
inside it: a key initialised there looks uninitialised elsewhere.
""",
    example="""
if st.button("Save":
    st.session_state.saved = True
""",
    fix="Fix the syntax error; the editor shows the exact place.",
    check=check,
    scope="workspace",
)
