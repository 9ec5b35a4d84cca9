"""Rename and quick fixes never lose or corrupt text, on every labelled fixture app.

For each app (the shared fixtures beside the repository and our own ``tests/fixtures``),
a copy is opened in the real server (stdio, VS Code's capabilities: UTF-16 positions)
and every key it knows (``workspace/symbol``) is taken through every place it occurs
(``textDocument/references``):

* ``prepareRename`` there either names the key, with the range of the key's token, or
  refuses with a message that names the key and says why;
* ``rename`` to a fresh name (``<key>_renamed``) gives the same edit from every place the
  key occurs, or the same clear refusal;
* that edit, applied to the files (UTF-16 positions honoured, overlapping edits refused),
  leaves every file parsing, and the only tokens that change are the key's own: a string
  whose value was the key and is now the new name (same prefix and quotes), an attribute
  or keyword name, or the string literal of a constant that names the key; and every
  place where the key is spelled out is among them;
* under Streamlit's ``AppTest`` the app with every allowed rename applied behaves as the
  original: the same elements (type, key, value; the new names read back as the old)
  and the same exception types on every run of the app's labelled steps (``slow``).

Then every diagnostic the server reports for the app is taken through its quick fixes:
each fix's edit keeps every file parsing, turns that diagnostic off, and brings no new
diagnostic (the remaining ones are compared by file, code, key and line, lines moved by
the fix's inserted lines).
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import functools
import io
import itertools
import json
import os
import re
import shutil
import sys
import tokenize
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from inprocess import connected_client
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.uris import from_fs_path, to_fs_path
from pytest_lsp import LanguageClient, client_capabilities

from conftest import units
from labelled import OWN_FIXTURES, shared_fixtures

PRESET = "visual-studio-code"
ANSWER_TIMEOUT = 30.0
APPTEST_TIMEOUT = 30.0
REQUEST_FAILED = lsp.LSPErrorCodes.RequestFailed.value
SUFFIX = "_renamed"
LINE_BREAK = re.compile(r"\r\n|\r|\n")


# ------------------------------------------------------------------------- the apps


@dataclass(frozen=True)
class App:
    """One labelled app: its files (a single script or a folder) and its steps."""

    name: str
    entry: Path
    target: Path  # the script itself, or the folder of a multi-file app
    steps: tuple[Mapping[str, Any], ...]
    start_page: str | None

    def copy_to(self, folder: Path) -> Path:
        """Copy the app's files into ``folder``; the entry script's copy."""
        if self.target.is_file():
            folder.mkdir(parents=True)
            shutil.copy2(self.target, folder / self.target.name)
            return folder / self.target.name
        shutil.copytree(self.target, folder, ignore=shutil.ignore_patterns("__pycache__"))
        return folder / self.entry.relative_to(self.target)


def load_apps(root: Path, prefix: str) -> list[App]:
    expected = root / "expected.json"
    if not expected.is_file():
        return []
    apps = []
    for name, case in sorted(json.loads(expected.read_text(encoding="utf-8")).items()):
        entry = root / case["entry"]
        relative = entry.relative_to(root / "cases")
        target = root / "cases" / relative.parts[0] if len(relative.parts) > 1 else entry
        apps.append(
            App(
                f"{prefix}/{name}",
                entry,
                target,
                tuple(case.get("steps") or ()),
                case.get("start_page"),
            )
        )
    return apps


SHARED = load_apps(shared_fixtures(), "shared")
OWN = load_apps(OWN_FIXTURES, "own")
APPS = [pytest.param(app, id=app.name) for app in SHARED + OWN]
if not SHARED:
    APPS.append(
        pytest.param(
            None,
            id="shared",
            marks=pytest.mark.skip(
                reason=f"shared fixtures not found at {shared_fixtures()} (set STREAMLIT_LSP_FIXTURES)"
            ),
        )
    )


# ---------------------------------------------------------------- positions and edits


def line_starts(text: str) -> list[int]:
    return [0, *(match.end() for match in LINE_BREAK.finditer(text))]


def offset_of(text: str, position: lsp.Position, encoding: str) -> int:
    """The string offset of a client position; a position past the end of its line or
    inside a character is a broken edit."""
    starts = line_starts(text)
    assert 0 <= position.line < len(starts), f"line {position.line} is outside the file"
    start = starts[position.line]
    end = starts[position.line + 1] if position.line + 1 < len(starts) else len(text)
    line = LINE_BREAK.sub("", text[start:end])
    column = 0
    for index, character in enumerate(line):
        if column == position.character:
            return start + index
        column += units(character, encoding)
    assert column == position.character, (
        f"column {position.character} of line {position.line} ({line!r}) is past its end "
        "or inside a character"
    )
    return start + len(line)


def apply_text_edits(text: str, edits: list[lsp.TextEdit], encoding: str) -> str:
    """Apply edits made against ``text`` (LSP: all positions refer to the original)."""
    spans = sorted(
        (offset_of(text, e.range.start, encoding), offset_of(text, e.range.end, encoding), e)
        for e in edits
    )
    for (_, end, first), (start, _, second) in itertools.pairwise(spans):
        assert end <= start, f"overlapping edits: {first} and {second}"
    for start, end, edit in reversed(spans):
        assert start <= end, f"an edit ends before it starts: {edit}"
        text = text[:start] + edit.new_text + text[end:]
    return text


def edits_by_path(edit: lsp.WorkspaceEdit) -> dict[Path, list[lsp.TextEdit]]:
    found: dict[Path, list[lsp.TextEdit]] = {}
    for uri, edits in (edit.changes or {}).items():
        found.setdefault(path_of(uri), []).extend(edits)
    for change in edit.document_changes or []:
        assert isinstance(change, lsp.TextDocumentEdit), f"file operation in an edit: {change}"
        found.setdefault(path_of(change.text_document.uri), []).extend(change.edits)  # type: ignore[arg-type]
    return found


def path_of(uri: str) -> Path:
    path = to_fs_path(uri)
    assert path, f"not a file URI: {uri!r}"
    return Path(path).resolve()


def apply_workspace_edit(
    edit: lsp.WorkspaceEdit, texts: Mapping[Path, str], encoding: str
) -> dict[Path, str]:
    """The new text of every file the edit touches (all inside the app's copy)."""
    changed = {}
    for path, edits in edits_by_path(edit).items():
        assert path in texts, f"the edit touches {path}, outside the app"
        changed[path] = apply_text_edits(texts[path], edits, encoding)
    return changed


def parses(path: Path, text: str) -> None:
    try:
        ast.parse(text, filename=str(path))
    except SyntaxError as error:
        raise AssertionError(f"{path.name} no longer parses: {error}\n{text}") from error


# -------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Token:
    kind: int
    text: str
    line: int  # 0-based
    column: int  # code points


def tokens(text: str) -> list[Token]:
    found = []
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        found.append(Token(token.type, token.string, token.start[0] - 1, token.start[1]))
    return found


def string_value(token_text: str) -> object:
    try:
        return ast.literal_eval(token_text)
    except (ValueError, SyntaxError):
        return None


def string_style(token_text: str) -> str:
    """A string token's prefix and quotes, without its contents."""
    quote = next(c for c in token_text if c in "'\"")
    prefix = token_text[: token_text.index(quote)]
    triple = token_text[len(prefix) : len(prefix) + 3] in ('"""', "'''")
    return prefix + (quote * 3 if triple else quote)


def is_constant_definition(stream: list[Token], index: int) -> str | None:
    """``NAME = "..."`` (a module constant or a class attribute): the name."""
    significant = [
        t
        for t in stream[:index]
        if t.kind not in (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)
    ]
    if len(significant) < 2 or significant[-1].text != "=" or significant[-2].kind != tokenize.NAME:
        return None
    before = significant[-3] if len(significant) >= 3 else None
    if before is not None and before.kind not in (tokenize.NEWLINE, tokenize.ENCODING):
        return None
    return significant[-2].text


# ------------------------------------------------------------------------- sessions


@dataclass
class Session:
    client: LanguageClient
    folder: Path
    encoding: str
    texts: dict[Path, str]
    versions: dict[Path, int] = field(default_factory=dict)

    def uri(self, path: Path) -> str:
        return from_fs_path(str(path)) or ""

    def set_text(self, path: Path, text: str) -> None:
        self.versions[path] = self.versions.get(path, 1) + 1
        self.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(
                    uri=self.uri(path), version=self.versions[path]
                ),
                content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    async def diagnostics(self) -> dict[Path, list[lsp.Diagnostic]]:
        found = {}
        for path in sorted(self.texts):
            report = await answered(
                self.client.text_document_diagnostic_async(
                    lsp.DocumentDiagnosticParams(
                        text_document=lsp.TextDocumentIdentifier(uri=self.uri(path))
                    )
                )
            )
            found[path] = list(report.items)
        return found


async def answered(request: Any) -> Any:
    return await asyncio.wait_for(request, ANSWER_TIMEOUT)


async def refusal_or_answer(request: Any) -> tuple[Any, str | None]:
    """(answer, None), or (None, message) for a deliberate RequestFailed refusal."""
    try:
        return await answered(request), None
    except JsonRpcException as error:
        assert error.code == REQUEST_FAILED, f"unexpected error {error.code}: {error}"
        return None, str(error.message if hasattr(error, "message") else error)


@contextlib.asynccontextmanager
async def server_on(folder: Path) -> AsyncIterator[Session]:
    """The server on ``folder`` with every Python file of it open."""
    async with connected_client() as client:

        @client.feature(lsp.CLIENT_REGISTER_CAPABILITY)
        def _register(params: lsp.RegistrationParams) -> None:
            return None

        result = await answered(
            client.initialize_session(
                lsp.InitializeParams(
                    capabilities=client_capabilities(PRESET),
                    root_uri=from_fs_path(str(folder)),
                    workspace_folders=[
                        lsp.WorkspaceFolder(uri=from_fs_path(str(folder)) or "", name="app")
                    ],
                )
            )
        )
        encoding = result.capabilities.position_encoding or lsp.PositionEncodingKind.Utf16
        texts = {
            path.resolve(): path.read_text(encoding="utf-8")
            for path in sorted(folder.rglob("*.py"))
        }
        session = Session(client, folder, encoding, texts)
        for path, text in texts.items():
            client.text_document_did_open(
                lsp.DidOpenTextDocumentParams(
                    text_document=lsp.TextDocumentItem(
                        uri=session.uri(path), language_id="python", version=1, text=text
                    )
                )
            )
        yield session


# -------------------------------------------------------------------------- renames


@dataclass
class RenameOutcome:
    """What renaming every key of an app gave (files by path relative to the app)."""

    original: dict[Path, str]
    renamed: dict[Path, str]  # every allowed rename applied at once
    mapping: dict[str, str]  # old key -> new key, for the allowed renames
    refused: dict[str, str] = field(default_factory=dict)  # key -> the server's reason


def occurrence_places(
    locations: list[lsp.Location], session: Session
) -> dict[Path, list[tuple[int, int, int]]]:
    """Reference ranges as (line, start, end) in code points, by file."""
    places: dict[Path, list[tuple[int, int, int]]] = {}
    for location in locations:
        path = path_of(location.uri)
        text = session.texts[path]
        start = offset_of(text, location.range.start, session.encoding)
        end = offset_of(text, location.range.end, session.encoding)
        line_start = line_starts(text)[location.range.start.line]
        places.setdefault(path, []).append(
            (location.range.start.line, start - line_start, end - line_start)
        )
    return places


def inside(places: list[tuple[int, int, int]], token: Token) -> bool:
    return any(line == token.line and start <= token.column < end for line, start, end in places)


def respelled(text: str, key: str, new_key: str) -> str | None:
    """``text`` (a token, or a piece of an f-string) naming ``key``, renamed in the same
    style (prefix, quotes); None when it does not name the key."""
    if text == key:
        return new_key
    if not text or text[-1] not in "'\"" or string_value(text) != key:
        return None
    style = string_style(text)
    prefix, quotes = style.rstrip("'\""), style.lstrip("rRbBuUfF")
    body = new_key if "r" in prefix.lower() else new_key.replace("\\", "\\\\")
    return f"{prefix}{quotes}{body.replace(quotes[0], chr(92) + quotes[0])}{quotes}"


def renamed_token(
    token: Token, key: str, new_key: str, spots: list[tuple[int, int, int]]
) -> str | None:
    """What a token must become when ``key`` is renamed: the key's own token (a string,
    an attribute or keyword name), or an f-string with the key's places inside it
    respelled. None: it must not change (constants are checked apart)."""
    if inside(spots, token):
        return respelled(token.text, key, new_key)
    if token.kind != tokenize.STRING or "\n" in token.text:
        return None
    end = token.column + len(token.text)
    pieces = sorted(
        (start, stop)
        for line, start, stop in spots
        if line == token.line and token.column < start and stop <= end
    )
    text = token.text
    for start, stop in reversed(pieces):
        piece = token.text[start - token.column : stop - token.column]
        replacement = respelled(piece, key, new_key)
        if replacement is not None:
            text = text[: start - token.column] + replacement + text[stop - token.column :]
    return text if text != token.text else None


def check_rename_tokens(
    key: str,
    new_key: str,
    session: Session,
    changed: dict[Path, str],
    places: dict[Path, list[tuple[int, int, int]]],
) -> None:
    """The only tokens that change are the key's occurrences, each spelled with the new
    name in the same style; every occurrence spelled out in the code changes; a string
    that changes elsewhere is the definition of a constant used where the key occurs."""
    names_at_places = {
        token.text
        for path, spots in places.items()
        for token in tokens(session.texts[path])
        if token.kind == tokenize.NAME and inside(spots, token)
    }
    for path in sorted(set(places) | set(changed)):
        before = tokens(session.texts[path])
        new_text = changed.get(path, session.texts[path])
        parses(path, new_text)
        after = tokens(new_text)
        assert len(before) == len(after), f"{path.name}: renaming {key!r} changed the tokens"
        spots = places.get(path, [])
        for index, (old, new) in enumerate(zip(before, after, strict=False)):
            where = f"{path.name}:{old.line + 1}:{old.column}"
            expected = renamed_token(old, key, new_key, spots)
            if expected is not None:
                assert new.text == expected, (
                    f"{where}: {old.text} became {new.text}, not {expected}"
                )
                continue
            if new.text == old.text:
                continue
            constant = is_constant_definition(before, index)
            assert (
                constant in names_at_places
                and string_value(old.text) == key
                and respelled(old.text, key, new_key) == new.text
            ), (
                f"{where}: {old.text} became {new.text}, but it is neither an occurrence of "
                f"{key!r} nor the constant that names it"
            )


def assert_clear_refusal(message: str, key: str | None, known: set[str]) -> None:
    """A refusal names the key and gives a reason the user can act on."""
    named = key if key is not None else next((k for k in known if repr(k) in message), None)
    assert named is not None and repr(named) in message, f"the refusal names no key: {message!r}"
    assert len(message) > len(repr(named)) + 20, f"the refusal gives no reason: {message!r}"


async def rename_every_key(session: Session) -> RenameOutcome:
    client = session.client
    symbols = await answered(client.workspace_symbol_async(lsp.WorkspaceSymbolParams(query="")))
    keys = {symbol.name: symbol.location for symbol in symbols or []}
    outcome = RenameOutcome({}, {}, {})
    combined: dict[Path, list[lsp.TextEdit]] = {}
    for key, location in sorted(keys.items()):
        new_key = key + SUFFIX
        assert new_key not in keys
        references = await answered(
            client.text_document_references_async(
                lsp.ReferenceParams(
                    text_document=lsp.TextDocumentIdentifier(uri=location.uri),
                    position=location.range.start,
                    context=lsp.ReferenceContext(include_declaration=True),
                )
            )
        )
        assert references, f"no references for {key!r} at its own symbol"
        results: dict[str, list[str]] = {}
        edit_found: lsp.WorkspaceEdit | None = None
        for reference in references:
            identifier = lsp.TextDocumentIdentifier(uri=reference.uri)
            where = f"{path_of(reference.uri).name}:{reference.range.start.line + 1}"
            prepared, refusal = await refusal_or_answer(
                client.text_document_prepare_rename_async(
                    lsp.PrepareRenameParams(
                        text_document=identifier, position=reference.range.start
                    )
                )
            )
            if refusal is not None:
                assert_clear_refusal(refusal, None, set(keys))
                continue
            assert isinstance(prepared, lsp.PrepareRenamePlaceholder), f"{where}: {prepared}"
            if prepared.placeholder != key:
                continue  # a place shared with another key (a parameter naming several)
            assert prepared.range == reference.range, f"{where}: {prepared.range}"
            edit, refusal = await refusal_or_answer(
                client.text_document_rename_async(
                    lsp.RenameParams(
                        text_document=identifier,
                        position=reference.range.start,
                        new_name=new_key,
                    )
                )
            )
            if refusal is not None:
                assert_clear_refusal(refusal, key, set(keys))
                results.setdefault(f"refused: {refusal}", []).append(where)
                continue
            assert isinstance(edit, lsp.WorkspaceEdit), f"{where}: no edit for {key!r}"
            edit_found = edit
            results.setdefault(
                repr(
                    sorted((str(p), sorted(map(repr, e))) for p, e in edits_by_path(edit).items())
                ),
                [],
            ).append(where)
        assert len(results) <= 1, f"{key!r}: different rename results by place: {results}"
        if edit_found is None:
            if results:
                outcome.refused[key] = next(iter(results)).removeprefix("refused: ")
            continue
        changed = apply_workspace_edit(edit_found, session.texts, session.encoding)
        check_rename_tokens(key, new_key, session, changed, occurrence_places(references, session))
        outcome.mapping[key] = new_key
        for path, edits in edits_by_path(edit_found).items():
            combined.setdefault(path, []).extend(edits)
    folder = session.folder.resolve()
    for path, text in session.texts.items():
        renamed = apply_text_edits(text, combined.get(path, []), session.encoding)
        parses(path, renamed)
        outcome.original[path.relative_to(folder)] = text
        outcome.renamed[path.relative_to(folder)] = renamed
    return outcome


# ----------------------------------------------------------------------- quick fixes


def moved_line(line: int, edits: list[lsp.TextEdit]) -> int:
    """Where a line ends up after ``edits``: moved by the lines that edits ending at or
    before its start insert or remove."""
    shift = 0
    for edit in edits:
        if (edit.range.end.line, edit.range.end.character) <= (line, 0):
            shift += edit.new_text.count("\n") - (edit.range.end.line - edit.range.start.line)
    return line + shift


def identity(path: Path, diagnostic: lsp.Diagnostic, line: int) -> tuple[str, str, str, int]:
    data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
    return (path.name, str(diagnostic.code), str(data.get("key")), line)


async def check_quick_fixes(session: Session) -> list[str]:
    """Every quick fix of every diagnostic: parses, turns it off, adds nothing."""
    before = await session.diagnostics()
    tried = []
    for path, found in before.items():
        for diagnostic in found:
            actions = await answered(
                session.client.text_document_code_action_async(
                    lsp.CodeActionParams(
                        text_document=lsp.TextDocumentIdentifier(uri=session.uri(path)),
                        range=diagnostic.range,
                        context=lsp.CodeActionContext(diagnostics=[diagnostic]),
                    )
                )
            )
            target = identity(path, diagnostic, diagnostic.range.start.line)
            assert actions, f"no quick fix for {target}"
            for action in actions:
                assert isinstance(action, lsp.CodeAction) and action.edit is not None
                what = f"{target}: {action.title!r}"
                edits = edits_by_path(action.edit)
                changed = apply_workspace_edit(action.edit, session.texts, session.encoding)
                for changed_path, text in changed.items():
                    parses(changed_path, text)
                    session.set_text(changed_path, text)
                after = await session.diagnostics()
                for changed_path in changed:
                    session.set_text(changed_path, session.texts[changed_path])
                expected = Counter(
                    identity(p, d, moved_line(d.range.start.line, edits.get(p, [])))
                    for p, items in before.items()
                    for d in items
                )
                moved_target = identity(
                    path, diagnostic, moved_line(diagnostic.range.start.line, edits.get(path, []))
                )
                now = Counter(
                    identity(p, d, d.range.start.line) for p, items in after.items() for d in items
                )
                assert moved_target not in now, f"{what} left the diagnostic on: {dict(now)}"
                added = now - expected
                assert not added, f"{what} brought new diagnostics: {sorted(added)}"
                tried.append(what)
    # Back to the original text: the server agrees again.
    assert await session.diagnostics() == before
    return tried


# ---------------------------------------------------------------------- the tests

# -------------------------------------------------------------------- behaviour


@contextlib.contextmanager
def isolated(folder: Path) -> Iterator[None]:
    """The app's folder importable as under ``streamlit run``, its modules fresh, no
    bytecode written (the renamed files replace the originals at the same paths)."""

    def drop_modules() -> None:
        for name, module in list(sys.modules.items()):
            file = getattr(module, "__file__", None)
            if file and file.startswith(f"{folder}{os.sep}"):
                sys.modules.pop(name, None)

    drop_modules()
    sys.path.insert(0, str(folder))
    writes_bytecode = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    # AppTest leaves its fake ``__main__`` (the app's script) behind: put the real one back.
    main = sys.modules.get("__main__")
    try:
        yield
    finally:
        sys.dont_write_bytecode = writes_bytecode
        sys.path.remove(str(folder))
        drop_modules()
        if main is not None:
            sys.modules["__main__"] = main


ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


@functools.cache
def _components() -> Any:
    """Streamlit's registry of installed v2 components, found once.

    Every new ``AppTest`` scans all installed distributions for component manifests
    (0.7 s each time); the answer is the same for every app here, so one registry is
    shared (``AppTest._bidi_component_manager``, the attribute its run fills).
    """
    from streamlit.components.v2.component_manager import BidiComponentManager

    manager = BidiComponentManager()
    manager.discover_and_register_components(start_file_watching=False)
    return manager


def behaviour(app: App, entry: Path, mapping: Mapping[str, str]) -> list[list[str]]:
    """Every run of the app's labelled steps under AppTest: each element's type, key and
    value, and each exception's type (new key names read back as the old ones)."""
    from streamlit.testing.v1 import AppTest

    back = sorted(((new, old) for old, new in mapping.items()), key=lambda pair: -len(pair[0]))

    def plain(value: object) -> str:
        text = ADDRESS.sub(" at 0x?", str(value))
        for new, old in back:
            text = text.replace(new, old)
        return text

    def widget(at: Any, op: Mapping[str, Any]) -> Any:
        if "key" in op:
            key = mapping.get(str(op["key"]), str(op["key"]))
            return next(
                node
                for node in at.main.root
                if getattr(node, "key", None) == key and hasattr(node, "set_value")
            )
        return at.get(op["type"])[int(op.get("index", 0))]

    def act(at: Any, op_name: str, op: Mapping[str, Any]) -> None:
        node = widget(at, op)
        if op_name == "set":
            node.set_value(op["value"])
        elif hasattr(node, "click") and callable(node.click):
            try:
                node.click()
            except TypeError:  # a menu button's click needs an option
                node.set_value(True)
        else:
            node.set_value(True)

    def record(at: Any) -> list[str]:
        at.run()
        seen = []
        for node in at.main.root:
            if node.type == "exception":
                seen.append(f"exception {node.proto.type}")
                continue
            try:
                value = getattr(node, "value", None)
            except Exception as error:  # some elements have no value before a run
                value = f"<{type(error).__name__}>"
            seen.append(f"{node.type} key={plain(getattr(node, 'key', None))} value={plain(value)}")
        return seen

    def new_session() -> Any:
        at = AppTest.from_file(str(entry), default_timeout=APPTEST_TIMEOUT)
        if hasattr(at, "_bidi_component_manager"):
            at._bidi_component_manager = _components()
        if app.start_page:
            at.switch_page(app.start_page)
        return at

    runs: list[list[str]] = []
    with isolated(entry.parent):
        at = new_session()
        runs.append(record(at))
        for step in app.steps:
            action = step.get("action")
            try:
                if action == "new_session":
                    at = new_session()
                elif action == "switch_page":
                    at.switch_page(step["page"])
                elif action in ("click", "set"):
                    act(at, str(action), step)
                elif action == "ops":
                    for op in step.get("ops", []):
                        act(at, op.get("op", ""), op)
                runs.append(record(at))
            except Exception as error:
                runs.append([f"step {action} failed: {type(error).__name__}: {plain(error)}"])
    return runs


# ------------------------------------------------------------------------- the tests

_outcomes: dict[str, RenameOutcome] = {}


async def renames_of(app: App, folder: Path) -> RenameOutcome:
    """Rename every key of ``app`` (once per test run: the AppTest check reuses it)."""
    if app.name not in _outcomes:
        app.copy_to(folder)
        async with server_on(folder) as session:
            _outcomes[app.name] = await rename_every_key(session)
    return _outcomes[app.name]


@pytest.mark.parametrize("app", APPS)
async def test_renames_and_quick_fixes_keep_the_program(app: App, tmp_path: Path):
    folder = tmp_path / "app"
    app.copy_to(folder)
    async with server_on(folder) as session:
        _outcomes[app.name] = await rename_every_key(session)
        await check_quick_fixes(session)


@pytest.mark.slow
@pytest.mark.parametrize("app", APPS)
def test_renamed_app_behaves_the_same_under_apptest(app: App, tmp_path: Path):
    outcome = asyncio.run(renames_of(app, tmp_path / "server"))
    if not outcome.mapping:
        pytest.skip(f"no key of this app can be renamed: {outcome.refused}")
    folder = tmp_path / "app"
    entry = app.copy_to(folder).resolve()
    original = behaviour(app, entry, {})
    for relative, text in outcome.renamed.items():
        (folder / relative).write_text(text, encoding="utf-8")
    renamed = behaviour(app, entry, outcome.mapping)
    assert renamed == original, (
        f"renaming {outcome.mapping} changed what the app does:\n"
        + "\n".join(
            f"run {number}: {before} -> {after}"
            for number, (before, after) in enumerate(zip(original, renamed, strict=False))
            if before != after
        )
    )
