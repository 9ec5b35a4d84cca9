"""What every rule module declares: its identity, its documentation, and its check."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from streamlit_lsp.diagnostics import Diagnostic, Severity

if TYPE_CHECKING:
    from streamlit_lsp.analysis.model import Model


@dataclass(frozen=True)
class Rule:
    """A rule of the catalog (``../shared/spec/RULES.md``): stable code, name, docs."""

    code: str
    name: str
    severity: Severity
    summary: str
    # Markdown sections, printed by ``streamlit-lsp rule CODE`` and shown on hover.
    what_it_does: str
    why_it_matters: str
    example: str
    fix: str
    check: Callable[[Model], Iterable[Diagnostic]]
    # "app": the rule looks at one app at a time, so its findings are computed per app
    # and kept while the app's files are unchanged; "workspace": at every file at once.
    scope: str = "app"

    def documentation(self) -> str:
        return (
            f"# {self.code} {self.name}\n\n"
            f"Default severity: {self.severity.value}. {self.summary}\n\n"
            f"## What it does\n{self.what_it_does.strip()}\n\n"
            f"## Why it matters\n{self.why_it_matters.strip()}\n\n"
            f"## Example\n```python\n{self.example.strip()}\n```\n\n"
            f"## How to fix it\n{self.fix.strip()}\n"
        )
