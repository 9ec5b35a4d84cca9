"""The output formats of ``streamlit-lsp check`` (contract: ``shared/spec/cli.md``).

Outside tools parse these, so each format is exactly what its consumer expects:

* ``text``: ``path:line:column: CODE message`` lines and a summary, for people and for
  editors' "jump to error" matchers (related places follow as indented ``note:`` lines,
  which such matchers skip);
* ``json``: the array of the contract's schema and nothing else;
* ``github``: GitHub Actions workflow commands, which become annotations on the diff;
* ``sarif``: SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.

Diagnostics carry 0-based code-point columns; every format here prints 1-based ones,
and SARIF says so with ``columnKind`` (its default would be UTF-16 code units).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from streamlit_lsp import __version__
from streamlit_lsp.diagnostics import Diagnostic, Severity, Span
from streamlit_lsp.rules.base import Rule

__all__ = ["FORMATS", "display_path", "render"]

FORMATS = ("text", "json", "github", "sarif")

SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SARIF_VERSION = "2.1.0"
TOOL_NAME = "streamlit-lsp"

_SARIF_LEVEL = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFORMATION: "note",
    Severity.HINT: "note",
}
_GITHUB_COMMAND = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.INFORMATION: "notice",
    Severity.HINT: "notice",
}


def _relative_to(path: Path, base: Path) -> Path | None:
    try:
        return path.relative_to(base)
    except ValueError:
        return None


def display_path(path: Path, cwd: Path) -> str:
    """``path`` relative to ``cwd`` with ``/`` separators when under it, else absolute.

    Plain normalized paths are compared first and resolved ones second, so a file reached
    through a symlinked folder is still shown relative when it is under ``cwd``.
    """
    if not path.is_absolute():
        return Path(os.path.normpath(path)).as_posix()
    normalized = Path(os.path.normpath(path))
    base = Path(os.path.normpath(cwd.absolute()))
    relative = _relative_to(normalized, base)
    if relative is None:
        try:
            relative = _relative_to(normalized.resolve(), base.resolve())
        except OSError:
            relative = None
    if relative is None:
        return normalized.as_posix()
    return relative.as_posix() if relative.parts else "."


def _sorted(diagnostics: Sequence[Diagnostic], cwd: Path) -> list[tuple[str, Diagnostic]]:
    """Diagnostics with their displayed path, ordered by path, line, column (contract)."""
    shown = [(display_path(diagnostic.path, cwd), diagnostic) for diagnostic in diagnostics]
    shown.sort(
        key=lambda item: (
            item[0],
            item[1].span.line,
            item[1].span.column,
            item[1].code,
            item[1].key or "",
            item[1].message,
        )
    )
    return shown


def _one_line(text: str) -> str:
    """Keep the one-line-per-diagnostic contract even if a message spans lines."""
    return " ".join(text.splitlines()) if ("\n" in text or "\r" in text) else text


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def summary_line(diagnostics: Sequence[Diagnostic], files_checked: int) -> str:
    """``Found 3 diagnostics (2 errors, 1 warning) in 5 files.`` or ``All checks passed``."""
    files = _plural(files_checked, "file")
    if not diagnostics:
        return f"All checks passed ({files})."
    counts = {severity: 0 for severity in Severity}
    for diagnostic in diagnostics:
        counts[diagnostic.severity] += 1
    names = {
        Severity.ERROR: ("error", "errors"),
        Severity.WARNING: ("warning", "warnings"),
        Severity.INFORMATION: ("information", "information"),
        Severity.HINT: ("hint", "hints"),
    }
    parts = [
        _plural(counts[severity], *names[severity]) for severity in Severity if counts[severity]
    ]
    return f"Found {_plural(len(diagnostics), 'diagnostic')} ({', '.join(parts)}) in {files}."


def _render_text(
    diagnostics: Sequence[Diagnostic], cwd: Path, out: TextIO, files_checked: int
) -> None:
    for path, diagnostic in _sorted(diagnostics, cwd):
        span = diagnostic.span
        out.write(
            f"{path}:{span.line}:{span.column + 1}: {diagnostic.code} "
            f"{_one_line(diagnostic.message)}\n"
        )
        for related in diagnostic.related:
            out.write(
                f"  {display_path(related.path, cwd)}:{related.span.line}:"
                f"{related.span.column + 1}: note: {_one_line(related.message)}\n"
            )
    out.write(summary_line(diagnostics, files_checked) + "\n")


def _json_item(path: str, diagnostic: Diagnostic, cwd: Path) -> dict[str, Any]:
    span = diagnostic.span
    return {
        "code": diagnostic.code,
        "severity": diagnostic.severity.value,
        "message": diagnostic.message,
        "key": diagnostic.key,
        "path": path,
        "line": span.line,
        "column": span.column + 1,
        "end_line": span.end_line,
        "end_column": span.end_column + 1,
        "related": [
            {
                "path": display_path(related.path, cwd),
                "line": related.span.line,
                "column": related.span.column + 1,
                "message": related.message,
            }
            for related in diagnostic.related
        ],
    }


def _render_json(diagnostics: Sequence[Diagnostic], cwd: Path, out: TextIO) -> None:
    items = [_json_item(path, diagnostic, cwd) for path, diagnostic in _sorted(diagnostics, cwd)]
    out.write(json.dumps(items, indent=2) + "\n")


def escape_github_data(text: str) -> str:
    """Escape a workflow command's message (the part after ``::``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_github_property(text: str) -> str:
    """Escape a workflow command property value, where ``:`` and ``,`` are delimiters."""
    return escape_github_data(text).replace(":", "%3A").replace(",", "%2C")


def _render_github(diagnostics: Sequence[Diagnostic], cwd: Path, out: TextIO) -> None:
    for path, diagnostic in _sorted(diagnostics, cwd):
        span = diagnostic.span
        properties = ",".join(
            f"{name}={escape_github_property(str(value))}"
            for name, value in (
                ("file", path),
                ("line", span.line),
                ("col", span.column + 1),
                ("endLine", span.end_line),
                ("endColumn", span.end_column + 1),
                ("title", diagnostic.code),
            )
        )
        # Related places become extra lines of the annotation's message.
        message = diagnostic.message + "".join(
            f"\n{display_path(related.path, cwd)}:{related.span.line}:"
            f"{related.span.column + 1}: {related.message}"
            for related in diagnostic.related
        )
        command = _GITHUB_COMMAND[diagnostic.severity]
        out.write(f"::{command} {properties}::{escape_github_data(message)}\n")


def _sarif_region(span: Span) -> dict[str, int]:
    # SARIF's endColumn is exclusive, like Span.end_column: both shift by one.
    return {
        "startLine": span.line,
        "startColumn": span.column + 1,
        "endLine": span.end_line,
        "endColumn": span.end_column + 1,
    }


def _sarif_artifact(path: Path, cwd: Path) -> dict[str, str]:
    """A path under ``cwd`` is relative to ``%SRCROOT%``; any other is a file:// URI."""
    shown = display_path(path, cwd)
    if path.is_absolute() and Path(shown).is_absolute():
        return {"uri": Path(shown).as_uri()}
    return {"uri": quote(shown, safe="/"), "uriBaseId": "%SRCROOT%"}


def _sarif_rule(rule: Rule) -> dict[str, Any]:
    documentation = rule.documentation()
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.what_it_does.strip() or rule.summary},
        "help": {"text": documentation, "markdown": documentation},
        "defaultConfiguration": {"level": _SARIF_LEVEL[rule.severity]},
    }


def _sarif_document(
    diagnostics: Sequence[Diagnostic], cwd: Path, rules: Mapping[str, Rule]
) -> dict[str, Any]:
    descriptors = [_sarif_rule(rules[code]) for code in sorted(rules)]
    index = {descriptor["id"]: position for position, descriptor in enumerate(descriptors)}
    results: list[dict[str, Any]] = []
    for _path, diagnostic in _sorted(diagnostics, cwd):
        if diagnostic.code not in index:
            # A code without rule metadata (say ST000 before the registry lists it)
            # still gets a descriptor, so every ruleIndex points at a real entry.
            index[diagnostic.code] = len(descriptors)
            descriptors.append(
                {"id": diagnostic.code, "shortDescription": {"text": diagnostic.code}}
            )
        result: dict[str, Any] = {
            "ruleId": diagnostic.code,
            "ruleIndex": index[diagnostic.code],
            "level": _SARIF_LEVEL[diagnostic.severity],
            "message": {"text": diagnostic.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": _sarif_artifact(diagnostic.path, cwd),
                        "region": _sarif_region(diagnostic.span),
                    }
                }
            ],
        }
        if diagnostic.related:
            result["relatedLocations"] = [
                {
                    "id": number,
                    "physicalLocation": {
                        "artifactLocation": _sarif_artifact(related.path, cwd),
                        "region": _sarif_region(related.span),
                    },
                    "message": {"text": related.message},
                }
                for number, related in enumerate(diagnostic.related)
            ]
        if diagnostic.key is not None:
            result["properties"] = {"key": diagnostic.key}
        results.append(result)
    root_uri = Path(os.path.normpath(cwd.absolute())).as_uri().rstrip("/") + "/"
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": TOOL_NAME,
                        "version": __version__,
                        "semanticVersion": __version__,
                        "rules": descriptors,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root_uri}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def _render_sarif(
    diagnostics: Sequence[Diagnostic], cwd: Path, rules: Mapping[str, Rule], out: TextIO
) -> None:
    out.write(json.dumps(_sarif_document(diagnostics, cwd, rules), indent=2) + "\n")


def render(
    diagnostics: Sequence[Diagnostic],
    fmt: str,
    *,
    cwd: Path,
    rules: Mapping[str, Rule],
    out: TextIO,
    files_checked: int,
) -> None:
    """Write ``diagnostics`` to ``out`` in format ``fmt`` (one of :data:`FORMATS`).

    Raises ValueError for an unknown format; the CLI's argument parser should have
    refused it already.
    """
    renderers: dict[str, Callable[[], None]] = {
        "text": lambda: _render_text(diagnostics, cwd, out, files_checked),
        "json": lambda: _render_json(diagnostics, cwd, out),
        "github": lambda: _render_github(diagnostics, cwd, out),
        "sarif": lambda: _render_sarif(diagnostics, cwd, rules, out),
    }
    if fmt not in renderers:
        raise ValueError(f"unknown output format {fmt!r} (expected one of {', '.join(FORMATS)})")
    renderers[fmt]()
