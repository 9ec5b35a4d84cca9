"""The session-state map: for every key, who initialises, reads, writes and binds it, per page.

Built from the run simulation, so a helper function's accesses appear on every page
that calls it, and callbacks appear on the page whose widget registers them. Rendered
as a table, JSON (the server's ``streamlit-lsp/stateMap`` request), or Mermaid.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from streamlit_lsp.analysis.facts import AccessKind
from streamlit_lsp.analysis.model import Model

ROLES = ("widget", "init", "write", "read")


@dataclass
class PageUsage:
    widget: set[tuple[Path, int]] = field(default_factory=set)
    init: set[tuple[Path, int]] = field(default_factory=set)
    write: set[tuple[Path, int]] = field(default_factory=set)
    read: set[tuple[Path, int]] = field(default_factory=set)


@dataclass
class KeyMap:
    key: str
    widget_command: str | None = None
    pages: dict[str, PageUsage] = field(default_factory=dict)


def _role(kind: AccessKind) -> str:
    if kind in (AccessKind.WRITE, AccessKind.SETDEFAULT):
        return "init"
    if kind in (AccessKind.AUGMENT, AccessKind.DELETE):
        return "write"
    return "read"


def build_map(model: Model) -> list[KeyMap]:
    keys: dict[str, KeyMap] = {}
    for app in model.apps:
        analysis = model.analysis(app)
        for run, trace in analysis.any_run.items():
            page = run.label if len(app.runs) > 1 else app.entry.name
            callback_trace = analysis.callbacks.get(run)
            events = [
                *trace.reads,
                *trace.writes,
                *(callback_trace.reads if callback_trace else []),
                *(callback_trace.writes if callback_trace else []),
            ]
            for event in events:
                entry = keys.setdefault(event.key, KeyMap(event.key))
                usage = entry.pages.setdefault(page, PageUsage())
                getattr(usage, _role(event.access.kind)).add((event.path, event.access.span.line))
            for seen in trace.widgets:
                if not seen.widget.stores_value:
                    continue
                entry = keys.setdefault(seen.key, KeyMap(seen.key))
                entry.widget_command = entry.widget_command or seen.widget.command
                entry.pages.setdefault(page, PageUsage()).widget.add(
                    (seen.path, seen.widget.span.line)
                )
    return [keys[key] for key in sorted(keys)]


def _places(places: Iterable[tuple[Path, int]], root: Path | None) -> list[str]:
    rendered = []
    for path, line in sorted(places):
        name = (
            path.relative_to(root).as_posix() if root and path.is_relative_to(root) else path.name
        )
        rendered.append(f"{name}:{line}")
    return rendered


def to_json(entries: list[KeyMap], root: Path | None = None) -> list[dict[str, object]]:
    return [
        {
            "key": entry.key,
            "widget": entry.widget_command,
            "pages": {
                page: {
                    role: _places(getattr(usage, role), root)
                    for role in ROLES
                    if getattr(usage, role)
                }
                for page, usage in sorted(entry.pages.items())
            },
        }
        for entry in entries
    ]


def to_table(entries: list[KeyMap], root: Path | None = None) -> str:
    rows = [("key", "page", "widget", "initialised", "written", "read")]
    for entry in entries:
        for page, usage in sorted(entry.pages.items()):
            rows.append(
                (
                    entry.key,
                    page,
                    ", ".join(_places(usage.widget, root)),
                    ", ".join(_places(usage.init, root)),
                    ", ".join(_places(usage.write, root)),
                    ", ".join(_places(usage.read, root)),
                )
            )
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def to_mermaid(entries: list[KeyMap]) -> str:
    """A flowchart: pages on one side, keys on the other, edges labelled by role."""
    lines = ["flowchart LR"]
    pages = sorted({page for entry in entries for page in entry.pages})
    page_ids = {page: f"page{index}" for index, page in enumerate(pages)}
    for page, node in page_ids.items():
        lines.append(f"    {node}[{json.dumps(page)}]")
    for index, entry in enumerate(entries):
        node = f"key{index}"
        shape = (
            f"{node}(({json.dumps(entry.key)}))"
            if entry.widget_command
            else f"{node}[({json.dumps(entry.key)})]"
        )
        lines.append(f"    {shape}")
        for page, usage in sorted(entry.pages.items()):
            roles = [role for role in ROLES if getattr(usage, role)]
            lines.append(f"    {page_ids[page]} -->|{' '.join(roles)}| {node}")
    return "\n".join(lines)
