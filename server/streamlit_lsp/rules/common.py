"""Small helpers the rule modules share: message wording and diagnostic construction."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from streamlit_lsp.analysis.facts import Access, Syntax
from streamlit_lsp.diagnostics import Diagnostic, Related, Severity, Span


def state_expr(key: str, access: Access | None = None) -> str:
    """How the user wrote (or would write) the access: ``st.session_state.k`` or ``['k']``."""
    if access is not None and access.syntax is Syntax.ATTRIBUTE and key.isidentifier():
        return f"st.session_state.{key}"
    return f"st.session_state[{key!r}]"


def missing_key_error(access: Access) -> str:
    """The exception Streamlit raises for a missing key read this way (RULES.md ST001)."""
    return "AttributeError" if access.syntax is Syntax.ATTRIBUTE else "KeyError"


def related(path: Path, span: Span, message: str) -> Related:
    return Related(path, span, message)


def diagnostic(
    code: str,
    severity: Severity,
    path: Path,
    span: Span,
    message: str,
    key: str | None,
    related_places: Iterable[Related] = (),
    unnecessary: bool = False,
) -> Diagnostic:
    return Diagnostic(
        code=code,
        message=message,
        path=path,
        span=span,
        severity=severity,
        key=key,
        related=tuple(related_places),
        unnecessary=unnecessary,
    )


def unique(diagnostics: Iterable[Diagnostic]) -> Iterator[Diagnostic]:
    """One diagnostic per (code, place, key): runs of several pages see shared code twice."""
    seen: set[tuple[str, Path, Span, str | None]] = set()
    for item in diagnostics:
        identity = (item.code, item.path, item.span, item.key)
        if identity not in seen:
            seen.add(identity)
            yield item
