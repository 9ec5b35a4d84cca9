"""The diagnostic: what every check produces and every front end (CLI, server) consumes.

Positions are kept the way the analysis sees source text: 1-based lines and 0-based
columns counted in Unicode code points. Front ends convert (the CLI prints 1-based
columns; the server converts to the client's negotiated encoding).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path

from streamlit_lsp.records import record


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFORMATION = "information"
    HINT = "hint"

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Accept the spellings users write in configuration (``warn``, ``info`` too)."""
        aliases = {"warn": "warning", "info": "information"}
        value = aliases.get(text.strip().lower(), text.strip().lower())
        return cls(value)


@record(order=True)
class Span:
    """A source range: lines 1-based, columns 0-based code points, end exclusive."""

    line: int
    column: int
    end_line: int
    end_column: int

    def contains(self, line: int, column: int) -> bool:
        if (line, column) < (self.line, self.column):
            return False
        return (line, column) <= (self.end_line, self.end_column)


@dataclass(frozen=True, slots=True)
class Related:
    """Another place that explains a diagnostic (the widget, the initialization...)."""

    path: Path
    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    message: str
    path: Path
    span: Span
    severity: Severity
    key: str | None = None
    related: tuple[Related, ...] = field(default=())
    # True for diagnostics the editor should render as faded-out code (ST009).
    unnecessary: bool = False

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path.as_posix(), self.span.line, self.span.column, self.code, self.key or "")
