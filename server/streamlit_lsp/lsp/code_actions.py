"""Quick fixes: each a ``WorkspaceEdit`` that turns its diagnostic off.

* ``# noqa: CODE`` on the reported line (every rule);
* read with ``.get(...)`` instead of raising (ST001, ST002);
* did-you-mean: a misspelled key replaced by a known one (ST001);
* initialise with ``setdefault`` at the top of the entry script, or of the page in a
  ``pages/`` app (ST001, ST002).
"""

from __future__ import annotations

import ast
import difflib
import re
from pathlib import Path

from lsprotocol import types as lsp
from pygls.uris import from_fs_path

from streamlit_lsp.analysis.answers import Occurrence, Role
from streamlit_lsp.analysis.facts import AccessKind, Syntax
from streamlit_lsp.diagnostics import Diagnostic
from streamlit_lsp.lsp.engine import Snapshot
from streamlit_lsp.lsp.positions import Converter
from streamlit_lsp.lsp.server import SOURCE, StreamlitLanguageServer

NOQA = re.compile(r"#\s*noqa(?P<codes>:\s*[A-Za-z]+\d+(?:[\s,]+[A-Za-z]+\d+)*)?", re.IGNORECASE)


def _noqa_edit(converter: Converter, line: int, code: str) -> lsp.TextEdit:
    text = converter.line(line)
    match = NOQA.search(text)
    if match and match["codes"]:
        end = converter.to_client_column(line, match.end())
        return lsp.TextEdit(
            range=lsp.Range(
                start=lsp.Position(line=line, character=end),
                end=lsp.Position(line=line, character=end),
            ),
            new_text=f", {code}",
        )
    end = converter.to_client_column(line, len(text))
    spacer = "" if not text.strip() else "  "
    return lsp.TextEdit(
        range=lsp.Range(
            start=lsp.Position(line=line, character=end), end=lsp.Position(line=line, character=end)
        ),
        new_text=f"{spacer}# noqa: {code}",
    )


def _action(
    title: str,
    uri: str,
    edits: list[lsp.TextEdit],
    diagnostic: lsp.Diagnostic,
    preferred: bool = False,
) -> lsp.CodeAction:
    return lsp.CodeAction(
        title=title,
        kind=lsp.CodeActionKind.QuickFix,
        diagnostics=[diagnostic],
        edit=lsp.WorkspaceEdit(changes={uri: edits}),
        is_preferred=preferred or None,
    )


def _engine_diagnostic(
    ls: StreamlitLanguageServer, path: Path, wire: lsp.Diagnostic, converter: Converter
) -> Diagnostic | None:
    for item in ls.snapshot().diagnostics.get(path, []):
        if item.code == wire.code and converter.range(item.span) == wire.range:
            return item
    return None


def _read_at(ls: StreamlitLanguageServer, path: Path, item: Diagnostic) -> Occurrence | None:
    for occurrence in ls.snapshot().answers.in_file(path):
        if (
            occurrence.site_span == item.span
            and occurrence.role is Role.READ
            and occurrence.access is not None
        ):
            return occurrence
    return None


def _get_edit(converter: Converter, occurrence: Occurrence) -> lsp.TextEdit | None:
    access = occurrence.access
    if (
        access is None
        or access.kind is not AccessKind.READ
        or access.span.line != access.span.end_line
    ):
        return None
    span = access.span
    site = converter.line(span.line - 1)[span.column : span.end_column]
    if access.syntax is Syntax.ATTRIBUTE:
        receiver = site[: site.rfind(".")].rstrip()
        key_text = repr(occurrence.key)
    elif access.syntax is Syntax.SUBSCRIPT:
        bracket = site.find("[")
        receiver = site[:bracket].rstrip()
        key_text = site[bracket + 1 : site.rfind("]")].strip()
    else:
        return None
    return lsp.TextEdit(range=converter.range(span), new_text=f"{receiver}.get({key_text})")


def _rename_token(converter: Converter, occurrence: Occurrence, new_key: str) -> lsp.TextEdit:
    span = occurrence.key_span
    if occurrence.access is not None and occurrence.access.syntax is Syntax.ATTRIBUTE:
        return lsp.TextEdit(range=converter.range(span), new_text=new_key)
    original = converter.line(span.line - 1)[span.column : span.end_column]
    quote = next((c for c in original if c in "'\""), "'")
    return lsp.TextEdit(range=converter.range(span), new_text=f"{quote}{new_key}{quote}")


def _init_script(ls: StreamlitLanguageServer, path: Path) -> Path | None:
    """The script that runs before ``path``'s code on every run: the entry script, except
    in a ``pages/`` app, where a page runs without the entry script and is its own."""
    apps = ls.snapshot().model.program.apps_of(path)
    if not apps:
        return None
    app = apps[0]
    if app.kind != "pages" or path == app.entry:
        return app.entry
    return path if path in app.scripts else None


def _setdefault_edit(
    ls: StreamlitLanguageServer, path: Path, key: str
) -> tuple[str, lsp.TextEdit] | None:
    """``st.session_state.setdefault(key, None)`` after the imports of the script that
    runs first (``_init_script``)."""
    snapshot = ls.snapshot()
    entry = _init_script(ls, path)
    if entry is None:
        return None
    facts = snapshot.model.program.facts(entry)
    if facts is None or not facts.streamlit_aliases:
        return None
    alias = "st" if "st" in facts.streamlit_aliases else facts.streamlit_aliases[0]
    top_imports = [fact.span.end_line for fact in facts.imports if fact.span.column == 0]
    line = max(top_imports) if top_imports else 0
    uri = from_fs_path(str(entry)) or str(entry)
    text = f"{alias}.session_state.setdefault({key!r}, {initial_value(snapshot, key)})\n"
    return uri, _line_insertion(ls.converter(entry), line, text)


def initial_value(snapshot: Snapshot, key: str) -> str:
    """The literal the app first writes to ``key`` (``0`` for ``ss.count = 0``), so the
    inserted ``setdefault`` does not change what later code sees; else ``None``."""
    info = snapshot.answers.info(key)
    described = info.value if info is not None else None  # "int = 0"
    literal = described.partition(" = ")[2] if described else ""
    try:
        ast.literal_eval(literal)  # a literal, not an abbreviation like "[...]"
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return "None"
    return literal


def _line_insertion(converter: Converter, line: int, text: str) -> lsp.TextEdit:
    """Insert ``text``, a whole line, before the 0-based ``line``, or at the end of the
    document when that line is past it: while a buffer does not parse, its last good
    facts may name lines it no longer has."""
    last = len(converter.lines) - 1
    if line <= last:
        position = lsp.Position(line=line, character=0)
    else:
        end = converter.to_client_column(last, len(converter.line(last)))
        position = lsp.Position(line=last, character=end)
        if converter.line(last):  # no line break at the end: the new line needs one
            text = "\n" + text
    return lsp.TextEdit(range=lsp.Range(start=position, end=position), new_text=text)


def _script_name(ls: StreamlitLanguageServer, path: Path) -> str:
    script = _init_script(ls, path)
    apps = ls.snapshot().model.program.apps_of(path)
    if script is not None and apps and script == apps[0].entry:
        return "the entry script"
    return "this page"


def _drop_default_edit(
    converter: Converter, item: Diagnostic, ls: StreamlitLanguageServer, path: Path
) -> lsp.TextEdit | None:
    """ST004: remove the widget's keyword default (and the comma before it)."""
    widget = next(
        (
            o.widget
            for o in ls.snapshot().answers.in_file(path)
            if o.widget is not None and o.widget.span == item.span
        ),
        None,
    )
    span = widget.default_span if widget is not None else None
    if span is None or span.line != span.end_line:
        return None
    text = converter.line(span.line - 1)
    start = span.column
    comma = text.rfind(",", 0, start)
    if comma >= 0 and not text[comma + 1 : start].strip():
        start = comma
    line = span.line - 1
    return lsp.TextEdit(
        range=lsp.Range(
            start=lsp.Position(line=line, character=converter.to_client_column(line, start)),
            end=lsp.Position(
                line=line, character=converter.to_client_column(line, span.end_column)
            ),
        ),
        new_text="",
    )


def register(server: StreamlitLanguageServer) -> None:
    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]),
    )
    def code_actions(
        ls: StreamlitLanguageServer, params: lsp.CodeActionParams
    ) -> list[lsp.CodeAction] | None:
        path = ls.path_of(params.text_document.uri)
        if path is None:
            return None
        uri = params.text_document.uri
        converter = ls.converter(path)
        actions: list[lsp.CodeAction] = []
        for wire in params.context.diagnostics:
            if wire.source != SOURCE or not isinstance(wire.code, str):
                continue
            item = _engine_diagnostic(ls, path, wire, converter)
            if item is not None and item.code in ("ST001", "ST002") and item.key is not None:
                occurrence = _read_at(ls, path, item)
                if occurrence is not None:
                    if item.code == "ST001":
                        known = [
                            k
                            for k, info in ls.snapshot().answers.keys_for(path).items()
                            if info.inits
                        ]
                        for suggestion in difflib.get_close_matches(
                            item.key, known, n=3, cutoff=0.7
                        ):
                            edit = _rename_token(converter, occurrence, suggestion)
                            actions.append(
                                _action(
                                    f"Did you mean {suggestion!r}?",
                                    uri,
                                    [edit],
                                    wire,
                                    preferred=True,
                                )
                            )
                    edit = _get_edit(converter, occurrence)
                    if edit is not None:
                        actions.append(
                            _action(
                                f"Read {item.key!r} with .get() (None when missing)",
                                uri,
                                [edit],
                                wire,
                            )
                        )
                init = _setdefault_edit(ls, path, item.key)
                if init is not None:
                    target, edit = init
                    action = _action(
                        f"Initialise {item.key!r} to {initial_value(ls.snapshot(), item.key)} "
                        f"at the top of {_script_name(ls, path)}",
                        target,
                        [edit],
                        wire,
                    )
                    actions.append(action)
            if item is not None and item.code == "ST004":
                edit = _drop_default_edit(converter, item, ls, path)
                if edit is not None:
                    actions.append(
                        _action(
                            "Drop the widget's default: Session State sets the value",
                            uri,
                            [edit],
                            wire,
                        )
                    )
            actions.append(
                _action(
                    f"Suppress {wire.code} on this line (# noqa)",
                    uri,
                    [_noqa_edit(converter, wire.range.start.line, wire.code)],
                    wire,
                )
            )
        return actions or None
