"""ST009 unused-key: a key is initialised but never read."""

from __future__ import annotations

from collections.abc import Iterator

from streamlit_lsp.analysis.facts import AccessKind
from streamlit_lsp.analysis.model import Model
from streamlit_lsp.diagnostics import Diagnostic, Severity
from streamlit_lsp.rules.base import Rule
from streamlit_lsp.rules.common import diagnostic, state_expr, unique

CODE = "ST009"


def check(model: Model) -> Iterator[Diagnostic]:
    yield from unique(_check(model))


def _check(model: Model) -> Iterator[Diagnostic]:
    for app in model.apps:
        table = model.keys(app)
        if table.opaque or table.whole_state_read or table.external_state_users:
            continue  # state iterated, printed or handed to unseen code: reads may hide there
        first_write = {}
        ordered = sorted(
            (
                entry
                for entry in table.accesses
                if entry.access.kind in (AccessKind.WRITE, AccessKind.SETDEFAULT)
            ),
            key=lambda entry: (app.rank(entry.path), str(entry.path), entry.access.span),
        )
        for entry in ordered:
            if entry.keys.dynamic:
                continue
            for key in sorted(entry.keys.names):
                first_write.setdefault(key, entry)
        for key, entry in first_write.items():
            if table.is_element_key(key) or table.reads(key):
                continue
            yield diagnostic(
                CODE,
                RULE.severity,
                entry.path,
                entry.access.span,
                f"{state_expr(key, entry.access)} is initialised here but never read anywhere in the app",
                key,
                unnecessary=True,
            )


RULE = Rule(
    code=CODE,
    name="unused-key",
    severity=Severity.HINT,
    summary="A key is initialised but never read.",
    what_it_does="""
Finds session-state keys (not widget keys) that the app writes but never reads: no
attribute or item read, `.get`, `.pop`, `+=`, `del` or membership test anywhere in the
app. The `if "k" not in st.session_state:` test guarding the key's own initialisation
does not count as a read. Apps that iterate or print the whole session state are left
alone. Reported at the first initialising write, tagged as unnecessary code.
""",
    why_it_matters="""
Dead state is noise that readers must understand, and often a typo: the key written is
not the key read (`ss.theme` written, `ss.Theme` read).
""",
    example="""
ss.setdefault("theme", "dark")   # ST009: nothing reads "theme"
st.write("Theme:", ss["Theme"])
""",
    fix="Remove the initialisation, or fix the key name where it is read.",
    check=check,
)
