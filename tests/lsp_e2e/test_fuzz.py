"""Random editing sessions against the real server: it must survive whatever an editor sends.

Hypothesis drives long sequences of incremental ``didChange`` edits (unicode, emoji,
astral characters, CRLF and lone CR, tabs, NUL, BOM, half-typed strings and brackets)
on a real-looking app, interleaved with every request the server answers, at random
positions (past the end of lines and files, inside surrogate pairs or multibyte
characters). After every step:

* every request answers in time, with no JSON-RPC error (except rename's deliberate
  RequestFailed refusal);
* every returned range lies inside the document as the client knows it, on character
  boundaries of the negotiated encoding (UTF-16 for VS Code, UTF-8 for Neovim);
* the server's text equals the client's. There is no request that returns the buffer, so
  the check asks for a "# noqa" quick fix on every line: its insertion point is the end
  of that line *as the server sees it*, and its leading spacer says whether the server's
  line is blank. Every line length (in client units) and blankness must match the
  client's model; a diverging line count shows up as shifted lengths, except for trailing
  blank lines, which this probe cannot see;
* nothing was written to the server's stderr (tracebacks, logged errors) and no
  window/logMessage or window/showMessage reported an error.

Bounded for CI: ``STREAMLIT_LSP_FUZZ_EXAMPLES`` (default 25 sessions per preset) scales
the number of sessions for long runs; the generation is derandomized (reproducible).
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sys
from collections.abc import Awaitable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.uris import from_fs_path, to_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from conftest import (
    STDERR_WRAPPER,
    completion_edit,
    indexed,
    line_fixes,
    probe_line_ends,
    recording_client,
    units,
    wait_until,
)

WORKSPACES = Path(__file__).resolve().parents[1] / "fixtures" / "workspaces"
EXAMPLES = int(os.environ.get("STREAMLIT_LSP_FUZZ_EXAMPLES", "25"))
REQUEST_TIMEOUT = 20.0
REQUEST_FAILED = lsp.LSPErrorCodes.RequestFailed.value

T = TypeVar("T")

# Once a known bug (fixed): while a buffer does not parse, the "Initialise ... at the top
# of the entry script" quick fix inserted past the end of the document (see
# test_quick_fix_edits_stay_inside_a_document_that_does_not_parse). Set to True to let
# exactly that pass in long runs should it come back while another bug is hunted.
TOLERATE_INIT_FIX_PAST_THE_END = False


# ------------------------------------------------------------------ the client's model

LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what LSP (and VS Code, and Python) call a line break


def split_lines(text: str) -> list[str]:
    return LINE_BREAK.split(text)


def line_starts(text: str) -> list[int]:
    return [0, *(match.end() for match in LINE_BREAK.finditer(text))]


def boundaries(line: str, encoding: str) -> list[int]:
    """Every client column that falls between two characters of ``line``."""
    columns = [0]
    for character in line:
        columns.append(columns[-1] + units(character, encoding))
    return columns


def position_of(text: str, offset: int, encoding: str) -> lsp.Position:
    starts = line_starts(text)
    line = max(index for index, start in enumerate(starts) if start <= offset)
    return lsp.Position(line=line, character=units(text[starts[line] : offset], encoding))


def offset_of(text: str, position: lsp.Position, encoding: str) -> int:
    """String offset of a valid client position."""
    starts = line_starts(text)
    line = split_lines(text)[position.line]
    columns = boundaries(line, encoding)
    return starts[position.line] + columns.index(position.character)


def snap(text: str, offset: int) -> int:
    """Editors never place a position between the CR and LF of a CRLF."""
    if 0 < offset < len(text) and text[offset - 1] == "\r" and text[offset] == "\n":
        return offset - 1
    return offset


@dataclass
class Document:
    """The client's copy of an open document; ``history`` maps every version sent for
    this URI (over all sessions) to its text, to check diagnostics published late."""

    uri: str
    text: str
    encoding: str
    history: dict[int, str]
    version: int = 0

    def __post_init__(self) -> None:
        self.version = max(self.history, default=0) + 1
        self.history[self.version] = self.text

    @property
    def lines(self) -> list[str]:
        return split_lines(self.text)


def problem_with_position(
    text: str, position: lsp.Position, encoding: str, where: str
) -> str | None:
    lines = split_lines(text)
    if not 0 <= position.line < len(lines):
        return f"{where}: line {position.line} is outside the document ({len(lines)} lines)"
    line = lines[position.line]
    if position.character not in boundaries(line, encoding):
        return (
            f"{where}: column {position.character} on line {position.line} ({line!r}) is past "
            f"its end ({units(line, encoding)} {encoding} units) or inside a character"
        )
    return None


def problem_with_range(text: str, range_: lsp.Range, encoding: str, where: str) -> str | None:
    for end in (range_.start, range_.end):
        problem = problem_with_position(text, end, encoding, where)
        if problem:
            return problem
    if (range_.start.line, range_.start.character) > (range_.end.line, range_.end.character):
        return f"{where}: range {range_} ends before it starts"
    return None


def contains(range_: lsp.Range, position: lsp.Position) -> bool:
    start = (range_.start.line, range_.start.character)
    end = (range_.end.line, range_.end.character)
    return start <= (position.line, position.character) <= end


# ----------------------------------------------------------------------------- fixture


def new_stderr(client: LanguageClient) -> str:
    """What the server wrote to stderr since the last call."""
    with client.stderr_log.open("rb") as log:  # type: ignore[attr-defined]
        log.seek(client.stderr_seen)  # type: ignore[attr-defined]
        data = log.read()
    client.stderr_seen += len(data)  # type: ignore[attr-defined]
    return data.decode("utf-8", "replace")


def _make_client() -> LanguageClient:
    """pytest-lsp's client, also recording every publishDiagnostics (with its version)."""

    def record(client: LanguageClient, params: lsp.PublishDiagnosticsParams) -> None:
        client.published.append(params)  # type: ignore[attr-defined]

    client = recording_client(record)
    client.published = []  # type: ignore[attr-defined]
    return client


@pytest_asyncio.fixture(params=["visual-studio-code", "neovim"])
async def fuzz_client(request, tmp_path: Path):
    workspace = tmp_path / "kiosk"
    shutil.copytree(WORKSPACES / "kiosk", workspace)
    stderr_log = tmp_path / "server-stderr.log"
    config = ClientServerConfig(
        server_command=[sys.executable, "-c", STDERR_WRAPPER, str(stderr_log)],
        client_factory=_make_client,
    )
    client = await config.start()
    assert isinstance(client, LanguageClient)
    client.workspace_path = workspace  # type: ignore[attr-defined]
    client.stderr_log = stderr_log  # type: ignore[attr-defined]
    client.stderr_seen = 0  # type: ignore[attr-defined]
    client.sessions = 0  # type: ignore[attr-defined]
    client.histories = {}  # type: ignore[attr-defined]
    result = await client.initialize_session(
        lsp.InitializeParams(
            capabilities=client_capabilities(request.param),
            root_uri=from_fs_path(str(workspace)),
            workspace_folders=[lsp.WorkspaceFolder(uri=from_fs_path(str(workspace)), name="k")],
        )
    )
    client.encoding = result.capabilities.position_encoding or lsp.PositionEncodingKind.Utf16  # type: ignore[attr-defined]
    await wait_until(lambda: indexed(client))
    yield client
    # shutdown + exit; a server that does not comply within 10 s is killed so that the
    # run never hangs (pygls' client.stop() waits for the process forever).
    process = client._server  # type: ignore[attr-defined]
    try:
        await asyncio.wait_for(client.shutdown_session(), 10)
    finally:
        if process is not None and process.returncode is None:
            process.kill()
        await asyncio.wait_for(client.stop(), 10)


# ------------------------------------------------------------------------ the session


class Session:
    """One editing session on one open document, checking the server after every step."""

    def __init__(self, client: LanguageClient, document: Document) -> None:
        self.client = client
        self.doc = document
        self.encoding = document.encoding
        self.steps: list[str] = []
        self.checked_publications = 0
        self.checked_logs = 0

    # ---- what the server must never do

    def fail(self, message: str) -> None:
        trail = "\n".join(self.steps[-12:])
        previous = self.doc.history.get(self.doc.version - 1)
        report = (
            f"{message}\n--- document (version {self.doc.version}) ---\n{self.doc.text!r}\n"
            f"--- the version before ---\n{previous!r}\n--- last steps ---\n{trail}"
        )
        # Also printed: if the server's state makes the replay differ, Hypothesis reports
        # a flaky test and this first report is what remains.
        print(f"FUZZ FAILURE: {report}", file=sys.stderr)
        raise AssertionError(report)

    async def answer(self, what: str, request: Awaitable[T], refusal_allowed: bool = False):
        """The response of a request; a refusal (RequestFailed) gives ``None``."""
        self.steps.append(what)
        try:
            return await asyncio.wait_for(request, REQUEST_TIMEOUT)
        except JsonRpcException as error:
            if refusal_allowed and error.code == REQUEST_FAILED:
                event(f"{what.split()[0]}: refused")
                return None
            self.fail(f"{what} answered with a JSON-RPC error {error.code}: {error.message}")
        except asyncio.TimeoutError:
            self.fail(f"{what} got no answer within {REQUEST_TIMEOUT} s")
        return None

    def check_quiet(self) -> None:
        """No traceback or logged error on stderr, no error reported to the user."""
        log = new_stderr(self.client)
        if log.strip():
            self.fail(f"the server wrote to stderr:\n{log[-4000:]}")
        for message in self.client.log_messages[self.checked_logs :]:
            if message.type == lsp.MessageType.Error or "Traceback" in message.message:
                self.fail(f"window/logMessage reported an error: {message.message}")
        self.checked_logs = len(self.client.log_messages)
        for message in self.client.messages:
            if message.type == lsp.MessageType.Error:
                self.fail(f"window/showMessage reported an error: {message.message}")
        if self.client.error is not None:
            self.fail(f"the client saw a fatal error: {self.client.error}")

    def text_of(self, uri: str, version: int | None = None, published: bool = False) -> str:
        """The text a result refers to: the buffer (at ``version``) or the file on disk.

        A publication without a version is for a closed file (a late one from an earlier
        session), so it refers to the file on disk."""
        if uri == self.doc.uri:
            if version is not None:
                if version not in self.doc.history:
                    self.fail(f"diagnostics published for unknown version {version}")
                return self.doc.history[version]
            if not published:
                return self.doc.text
        path = to_fs_path(uri)
        if path is None or not Path(path).is_file():
            self.fail(
                f"a result points at {uri}, which is neither open nor on disk (open: {self.doc.uri})"
            )
        return Path(path).read_text(encoding="utf-8")  # type: ignore[arg-type]

    def check_range(
        self, uri: str, range_: lsp.Range, where: str, past_the_end_ok: bool = False
    ) -> None:
        text = self.text_of(uri)
        problem = problem_with_range(text, range_, self.encoding, where)
        if problem and past_the_end_ok and range_.start.line >= len(split_lines(text)):
            event("known bug tolerated: quick fix past the end")
            return
        if problem:
            self.fail(problem)

    def check_edit(
        self, edit: lsp.WorkspaceEdit | None, where: str, past_the_end_ok: bool = False
    ) -> None:
        if edit is None:
            return
        for uri, edits in (edit.changes or {}).items():
            for text_edit in edits:
                self.check_range(uri, text_edit.range, f"{where} edit in {uri}", past_the_end_ok)
        for change in edit.document_changes or ():
            if isinstance(change, lsp.TextDocumentEdit):
                for text_edit in change.edits:
                    self.check_range(
                        change.text_document.uri, text_edit.range, f"{where} document edit"
                    )

    def check_publications(self) -> None:
        published: list[lsp.PublishDiagnosticsParams] = self.client.published  # type: ignore[attr-defined]
        for params in published[self.checked_publications :]:
            if params.uri != self.doc.uri or not params.diagnostics:
                continue
            text = self.text_of(params.uri, params.version, published=True)
            for diagnostic in params.diagnostics:
                problem = problem_with_range(
                    text, diagnostic.range, self.encoding, f"published {diagnostic.code}"
                )
                if problem:
                    self.fail(f"{problem} (version {params.version})")
        self.checked_publications = len(published)

    # ---- the server's view of the text

    async def check_same_text(self) -> None:
        lines = self.doc.lines
        actions = await self.answer(
            "code action probe of every line",
            probe_line_ends(self.client, self.doc.uri, len(lines)),
        )
        fixes = line_fixes(self.doc.uri, actions)
        for number, line in enumerate(lines):
            if "noqa" in line.lower():
                continue  # the fix then goes after the existing codes
            edit = fixes.get(number)
            if edit is None:
                self.fail(f"no # noqa fix offered for line {number}")
            expected = units(line, self.encoding)
            if edit.range.start.character != expected:
                self.fail(
                    f"the server's line {number} is {edit.range.start.character} {self.encoding} "
                    f"units long, the client's is {expected}: {line!r} (the texts diverged)"
                )
            if edit.new_text.startswith(" ") != bool(line.strip()):
                self.fail(f"the server's line {number} differs in blankness from {line!r}")

    # ---- edits

    def send_changes(self, changes: list[tuple[int, int, str]]) -> None:
        """Apply (start, end, new text) edits one after the other, as one didChange."""
        events: list[lsp.TextDocumentContentChangeEvent] = []
        text = self.doc.text
        for start, end, new_text in changes:
            events.append(
                lsp.TextDocumentContentChangePartial(
                    range=lsp.Range(
                        start=position_of(text, start, self.encoding),
                        end=position_of(text, end, self.encoding),
                    ),
                    text=new_text,
                )
            )
            text = text[:start] + new_text + text[end:]
        self.replace_with(text, events, f"edit {changes!r}")

    def replace_with(
        self, text: str, events: list[lsp.TextDocumentContentChangeEvent], what: str
    ) -> None:
        self.doc.version += 1
        self.doc.text = text
        self.doc.history[self.doc.version] = text
        self.steps.append(f"v{self.doc.version}: {what}")
        self.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(
                    uri=self.doc.uri, version=self.doc.version
                ),
                content_changes=events,
            )
        )

    def apply_workspace_edit(self, edit: lsp.WorkspaceEdit | None) -> None:
        """What an editor does with a rename or quick fix: edit the buffer, send didChange."""
        if edit is None or not edit.changes or self.doc.uri not in edit.changes:
            return
        text = self.doc.text
        for text_edit in edit.changes[self.doc.uri]:
            if problem_with_range(text, text_edit.range, self.encoding, ""):
                return  # an editor refuses an edit outside the buffer
        ranges = sorted(
            (
                (
                    offset_of(text, e.range.start, self.encoding),
                    offset_of(text, e.range.end, self.encoding),
                    e.new_text,
                )
                for e in edit.changes[self.doc.uri]
            ),
            reverse=True,
        )
        # Back to front, so the earlier edits' positions stay valid.
        self.send_changes(ranges)


# ------------------------------------------------------------------------ strategies

# Characters Python's str.splitlines() breaks on but LSP does not (\r, \n and \r\n only).
EXOTIC_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"

FRAGMENTS = [
    "st.session_state.",
    'st.session_state["',
    "st.session_state['ca",
    "ss.",
    'ss["',
    "ss.get('",
    'ss.setdefault("',
    '"cart"',
    "cart",
    "visits",
    "drink",
    'key="',
    'st.text_input("Nom 😀", key="',
    "del ss.",
    'if "member" in st.session_state:\n    ',
    'f"{ss.',
    "f\"{ss['",
    "lambda: ss.",
    "def cb():\n\tss.",
    "import streamlit as st\n",
    "  # noqa",
    "# noqa: ST001",
    '"""',
    "'''",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ":",
    ",",
    "\\",
    "\n",
    "\r\n",
    "\r",
    "\t",
    "    ",
    "\x00",
    "\ufeff",
    "😀",
    "𝔠𝔬𝔣𝔣𝔢𝔢",
    "👩‍👩‍👧",
    "🇫🇷",
    "é",
    "€",
    "ß",
    "中文",
    "\u0301",
    "\u200b",
]
EXOTIC_FRAGMENTS = ["\u2028", "\x0c", "\u2029", "\x85", "\x0b", "ss.cart\x0c\n", "a\u2028b"]

ALPHABETS = {
    # Everything an editor can type, except the characters that only Python's
    # str.splitlines() (not LSP) treats as line breaks.
    "editor": (FRAGMENTS, EXOTIC_BREAKS),
    # Form feed, vertical tab, U+0085, U+2028/2029 and the C0 separators too.
    "exotic": (FRAGMENTS + EXOTIC_FRAGMENTS, ""),
}


def insertions(alphabet: str) -> st.SearchStrategy[str]:
    fragments, excluded = ALPHABETS[alphabet]
    characters = st.characters(exclude_categories=("Cs",), exclude_characters=excluded)
    return st.one_of(
        st.just(""),
        st.sampled_from(fragments),
        st.lists(st.sampled_from(fragments), min_size=1, max_size=4).map("".join),
        st.text(characters, min_size=1, max_size=6),
    )


REQUESTS = (
    "completion",
    "hover",
    "definition",
    "references",
    "highlight",
    "prepare_rename",
    "rename",
    "code_action",
    "symbols",
    "diagnostics",
)


async def random_edit(session: Session, data: st.DataObject, alphabet: str) -> None:
    text = session.doc.text
    if data.draw(st.integers(0, 19), label="whole-document change") == 0:
        start = data.draw(st.integers(0, len(text)), label="kept prefix")
        new_text = text[:start] + data.draw(insertions(alphabet), label="new tail")
        event("edit: whole document")
        session.replace_with(
            new_text,
            [lsp.TextDocumentContentChangeWholeDocument(text=new_text)],
            f"whole document {new_text!r}",
        )
        return
    if data.draw(st.integers(0, 3), label="type character by character") == 0:
        await type_text(session, data, alphabet)
        return
    count = data.draw(st.sampled_from([1, 1, 1, 2, 3]), label="changes in one didChange")
    event(f"edit: {count} change(s)")
    changes = []
    for _ in range(count):
        start = snap(text, data.draw(st.integers(0, len(text)), label="start"))
        small = st.integers(0, 8)
        length = data.draw(
            st.one_of(small, small, small, st.integers(0, 200)), label="deleted characters"
        )
        end = snap(text, min(len(text), start + length))
        if end < start:
            end = start
        new_text = data.draw(insertions(alphabet), label="inserted")
        changes.append((start, end, new_text))
        text = text[:start] + new_text + text[end:]
    session.send_changes(changes)


async def type_text(session: Session, data: st.DataObject, alphabet: str) -> None:
    """Type a fragment one character per didChange, asking for completions as an editor
    does after each keystroke."""
    text = session.doc.text
    spots = [match.end() for match in INTERESTING.finditer(text)]
    if spots and data.draw(st.booleans(), label="type at a key"):
        offset = data.draw(st.sampled_from(spots), label="typing spot")
    else:
        offset = data.draw(st.integers(0, len(text)), label="typing offset")
    offset = snap(text, offset)
    typed = data.draw(insertions(alphabet), label="typed")
    event("edit: typing")
    for character in typed:
        session.send_changes([(offset, offset, character)])
        offset += len(character)
        if character in "\r\n" or snap(session.doc.text, offset) != offset:
            continue  # the cursor sits between a CR and an LF: nothing to ask there
        cursor = position_of(session.doc.text, offset, session.encoding)
        version = session.doc.version
        if await request(session, data, "completion", cursor, True):
            event("typing: completion offered")
        if session.doc.version != version:
            break  # a completion was accepted: the user goes on from there
    await session.check_same_text()


# Where the answers are: key names, and the places where a key is being typed.
INTERESTING = re.compile(
    r"cart|visits|drink|size|last_added|loyalty_points|discount|discont|member"
    r"|session_state\.|ss\.|\[\s*['\"]|(?:get|setdefault|pop)\(\s*['\"]|key=['\"]|noqa: *ST"
)


def random_position(session: Session, data: st.DataObject) -> tuple[lsp.Position, bool]:
    """A position, and whether it is a valid one (inside the document, on a boundary)."""
    text = session.doc.text
    spots = [match.span() for match in INTERESTING.finditer(text)]
    if spots and data.draw(st.booleans(), label="near a key"):
        start, end = data.draw(st.sampled_from(spots), label="spot")
        offset = snap(text, data.draw(st.integers(start, end), label="offset in the spot"))
        return position_of(text, offset, session.encoding), True
    lines = session.doc.lines
    line = data.draw(
        st.one_of(st.integers(0, len(lines) - 1), st.integers(0, len(lines) + 3)), label="line"
    )
    text = lines[line] if line < len(lines) else ""
    columns = boundaries(text, session.encoding)
    character = data.draw(
        st.one_of(st.sampled_from(columns), st.integers(0, columns[-1] + 5)), label="character"
    )
    valid = line < len(lines) and character in columns
    return lsp.Position(line=line, character=character), valid


async def random_request(session: Session, data: st.DataObject) -> None:
    kind = data.draw(st.sampled_from(REQUESTS), label="request")
    position, valid = random_position(session, data)
    answered = await request(session, data, kind, position, valid)
    event(f"{kind}: {'an answer' if answered else 'nothing'}")


async def request(
    session: Session, data: st.DataObject, kind: str, position: lsp.Position, valid: bool
) -> bool:
    """Send one request and check its answer; True when the answer was not empty."""
    client, doc = session.client, session.doc
    document = lsp.TextDocumentIdentifier(uri=doc.uri)
    what = f"{kind} at {position.line}:{position.character} (v{doc.version})"
    if kind == "completion":
        result = await session.answer(
            what,
            client.text_document_completion_async(
                lsp.CompletionParams(text_document=document, position=position)
            ),
        )
        items = result.items if isinstance(result, lsp.CompletionList) else result or []
        for item in items:
            edit = completion_edit(result, item)
            if edit is None:
                continue
            range_ = edit.range
            session.check_range(doc.uri, range_, f"completion {item.label!r}")
            if range_.start.line != range_.end.line:
                session.fail(f"completion {item.label!r}: a text edit over several lines")
            if valid and not contains(range_, position):
                session.fail(f"completion {item.label!r}: {range_} does not contain the cursor")
        if items and valid and data.draw(st.booleans(), label="accept a completion"):
            item = data.draw(st.sampled_from(items), label="completion accepted")
            edit = completion_edit(result, item)
            if edit is not None:
                session.apply_workspace_edit(lsp.WorkspaceEdit(changes={doc.uri: [edit]}))
    elif kind == "hover":
        result = await session.answer(
            what,
            client.text_document_hover_async(
                lsp.HoverParams(text_document=document, position=position)
            ),
        )
        if result is not None and result.range is not None:
            session.check_range(doc.uri, result.range, "hover")
    elif kind in ("definition", "references"):
        if kind == "definition":
            pending: Awaitable[Any] = client.text_document_definition_async(
                lsp.DefinitionParams(text_document=document, position=position)
            )
        else:
            pending = client.text_document_references_async(
                lsp.ReferenceParams(
                    text_document=document,
                    position=position,
                    context=lsp.ReferenceContext(include_declaration=data.draw(st.booleans())),
                )
            )
        result = await session.answer(what, pending)
        if isinstance(result, lsp.Location):
            result = [result]
        for location in result or []:
            session.check_range(location.uri, location.range, kind)
    elif kind == "highlight":
        result = await session.answer(
            what,
            client.text_document_document_highlight_async(
                lsp.DocumentHighlightParams(text_document=document, position=position)
            ),
        )
        for highlight in result or []:
            session.check_range(doc.uri, highlight.range, kind)
    elif kind == "prepare_rename":
        result = await session.answer(
            what,
            client.text_document_prepare_rename_async(
                lsp.PrepareRenameParams(text_document=document, position=position)
            ),
            refusal_allowed=True,
        )
        range_ = getattr(result, "range", result if isinstance(result, lsp.Range) else None)
        if range_ is not None:
            session.check_range(doc.uri, range_, kind)
            if valid and not contains(range_, position):
                session.fail(f"prepareRename: {range_} does not contain the cursor")
    elif kind == "rename":
        new_name = data.draw(
            st.one_of(st.sampled_from(["basket", "my key", "😀", "", "a'b\"c"]), st.text()),
            label="new name",
        )
        result = await session.answer(
            what,
            client.text_document_rename_async(
                lsp.RenameParams(text_document=document, position=position, new_name=new_name)
            ),
            refusal_allowed=True,
        )
        session.check_edit(result, kind)
        if data.draw(st.booleans(), label="apply the rename"):
            session.apply_workspace_edit(result)
    elif kind == "code_action":
        end, _ = random_position(session, data)
        start, end = sorted([position, end], key=lambda p: (p.line, p.character))
        # The diagnostics the editor shows (pulled here even for VS Code, which is
        # pushed them: a push arrives after a debounce, and the test must not depend on
        # timing).
        diagnostics = await pull_diagnostics(session)
        result = await session.answer(
            what,
            client.text_document_code_action_async(
                lsp.CodeActionParams(
                    text_document=document,
                    range=lsp.Range(start=start, end=end),
                    context=lsp.CodeActionContext(diagnostics=diagnostics),
                )
            ),
        )
        actions = [a for a in result or [] if isinstance(a, lsp.CodeAction)]
        for action in actions:
            known_bug = TOLERATE_INIT_FIX_PAST_THE_END and action.title.startswith("Initialise ")
            session.check_edit(action.edit, f"code action {action.title!r}", known_bug)
        if actions and data.draw(st.booleans(), label="apply a quick fix"):
            session.apply_workspace_edit(data.draw(st.sampled_from(actions)).edit)
    elif kind == "symbols":
        result = await session.answer(
            what,
            client.text_document_document_symbol_async(
                lsp.DocumentSymbolParams(text_document=document)
            ),
        )
        for symbol in result or []:
            if isinstance(symbol, lsp.DocumentSymbol):
                session.check_range(doc.uri, symbol.range, f"symbol {symbol.name!r}")
                session.check_range(doc.uri, symbol.selection_range, f"symbol {symbol.name!r}")
                if not (
                    contains(symbol.range, symbol.selection_range.start)
                    and contains(symbol.range, symbol.selection_range.end)
                ):
                    session.fail(f"symbol {symbol.name!r}: selection outside its range")
            else:
                session.check_range(symbol.location.uri, symbol.location.range, "symbol")
    else:
        result = await pull_diagnostics(session)
    return bool(result)


async def pull_diagnostics(session: Session) -> list[lsp.Diagnostic]:
    result = await session.answer(
        f"pull diagnostics (v{session.doc.version})",
        session.client.text_document_diagnostic_async(
            lsp.DocumentDiagnosticParams(
                text_document=lsp.TextDocumentIdentifier(uri=session.doc.uri)
            )
        ),
    )
    items = list(getattr(result, "items", None) or [])
    for diagnostic in items:
        session.check_range(session.doc.uri, diagnostic.range, f"pulled {diagnostic.code}")
    return items


async def run_session(client: LanguageClient, data: st.DataObject, alphabet: str) -> None:
    client.sessions += 1  # type: ignore[attr-defined]
    workspace: Path = client.workspace_path  # type: ignore[attr-defined]
    name = data.draw(st.sampled_from(["app.py", "pages/1_Loyalty.py", "new_page.py"]))
    path = workspace / name
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if data.draw(st.booleans(), label="CRLF file"):
        text = text.replace("\n", "\r\n")
    uri = from_fs_path(str(path)) or ""
    document = Document(
        uri=uri,
        text=text,
        encoding=client.encoding,  # type: ignore[attr-defined]
        history=client.histories.setdefault(uri, {}),  # type: ignore[attr-defined]
    )
    session = Session(client, document)
    client.diagnostics.pop(document.uri, None)
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(
                uri=document.uri, language_id="python", version=document.version, text=text
            )
        )
    )
    session.steps.append(f"open {name} (session {client.sessions})")  # type: ignore[attr-defined]
    try:
        steps = data.draw(st.integers(10, 30), label="steps")
        for _ in range(steps):
            if data.draw(st.integers(0, 2), label="edit or request") == 0:
                await random_edit(session, data, alphabet)
                await session.check_same_text()
            else:
                await random_request(session, data)
            session.check_publications()
            session.check_quiet()
        await session.check_same_text()
        # Let the debounced diagnostics go out, then check them against their version.
        await asyncio.sleep(0.3)
        await session.answer(
            "final symbols",
            client.text_document_document_symbol_async(
                lsp.DocumentSymbolParams(text_document=lsp.TextDocumentIdentifier(uri=document.uri))
            ),
        )
        session.check_publications()
        session.check_quiet()
    finally:
        client.text_document_did_close(
            lsp.DidCloseTextDocumentParams(
                text_document=lsp.TextDocumentIdentifier(uri=document.uri)
            )
        )


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # Shrinking replays whole sessions for minutes; the failure message already holds
    # the document and the last steps. STREAMLIT_LSP_FUZZ_SHRINK=1 turns it on.
    phases=[Phase.explicit, Phase.generate]
    + ([Phase.shrink] if os.environ.get("STREAMLIT_LSP_FUZZ_SHRINK") else []),
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@FUZZ_SETTINGS
@given(data=st.data())
async def test_random_editing_sessions(fuzz_client: LanguageClient, data: st.DataObject):
    await run_session(fuzz_client, data, "editor")


@FUZZ_SETTINGS
@given(data=st.data())
async def test_random_editing_sessions_with_exotic_line_separators(
    fuzz_client: LanguageClient, data: st.DataObject
):
    """Once a bug: pygls applied an incremental didChange through str.splitlines(), which
    also breaks lines at characters LSP does not (form feed, vertical tab, \\x1c-\\x1e,
    U+0085, U+2028, U+2029), so the edit landed on the wrong line and the server's copy
    of the buffer diverged from the editor's (fixed in lsp/documents.py)."""
    await run_session(fuzz_client, data, "exotic")


# ------------------------------------------- the fuzz's findings, as plain examples


async def open_document(client: LanguageClient, name: str, text: str) -> Session:
    path = client.workspace_path / name  # type: ignore[attr-defined]
    uri = from_fs_path(str(path)) or ""
    document = Document(
        uri=uri,
        text=text,
        encoding=client.encoding,  # type: ignore[attr-defined]
        history=client.histories.setdefault(uri, {}),  # type: ignore[attr-defined]
    )
    client.text_document_did_open(
        lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(
                uri=uri, language_id="python", version=document.version, text=text
            )
        )
    )
    return Session(client, document)


@pytest.mark.parametrize(
    "separator", ["\x0c", "\x0b", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
)
async def test_incremental_edit_after_a_line_separator_character(
    fuzz_client: LanguageClient, separator: str
):
    session = await open_document(
        fuzz_client, "app.py", f'st.write("a{separator}b")\nss = st.session_state\n'
    )
    start = session.doc.text.index("ss =")
    session.send_changes([(start, start, "X")])
    await session.check_same_text()


async def test_ranges_of_facts_kept_from_an_older_text_stay_inside_the_document(
    fuzz_client: LanguageClient,
):
    """While a buffer does not parse, answers come from its last good facts, which
    may be lines past the end of the current text (found by the random sessions)."""
    text = "import streamlit as st\n\n\n\n\nst.write(st.session_state.missing)\n"
    session = await open_document(fuzz_client, "app.py", text)
    await pull_diagnostics(session)
    # Two broken lines (an unclosed import, an unterminated string) replace the five
    # blank ones: the key's last good line (5) is past the end of the 5-line text.
    blank = len("import streamlit as st\n")
    session.send_changes([(blank, blank + 5, 'from (\n"""\n')])
    document = lsp.TextDocumentIdentifier(uri=session.doc.uri)
    await pull_diagnostics(session)  # checks every range against the current text
    symbols = await session.answer(
        "symbols",
        fuzz_client.text_document_document_symbol_async(
            lsp.DocumentSymbolParams(text_document=document)
        ),
    )
    for symbol in symbols or []:
        session.check_range(session.doc.uri, symbol.range, f"symbol {symbol.name}")
        session.check_range(session.doc.uri, symbol.selection_range, f"symbol {symbol.name}")
    await asyncio.sleep(0.3)  # the pushed diagnostics, for VS Code
    session.check_publications()
    session.check_quiet()


async def test_quick_fix_edits_stay_inside_a_document_that_does_not_parse(
    fuzz_client: LanguageClient,
):
    """Once a bug: the "Initialise" quick fix took its line from the last good facts (the
    end of the imports, line 7) and inserted past the end of the 5-line broken buffer."""
    imports = "".join(f"import {name}\n" for name in ("os", "sys", "json", "re", "math", "time"))
    text = f"import streamlit as st\n{imports}st.write(st.session_state.missing)\n"
    session = await open_document(fuzz_client, "app.py", text)
    await pull_diagnostics(session)
    # The six imports become two broken lines: 5 lines left, the last good facts' imports
    # end on line 7.
    start = len("import streamlit as st\n")
    session.send_changes([(start, start + len(imports), 'from (\n"""\n')])
    diagnostics = await pull_diagnostics(session)
    assert any(d.code == "ST001" for d in diagnostics), diagnostics
    actions = await session.answer(
        "code actions",
        fuzz_client.text_document_code_action_async(
            lsp.CodeActionParams(
                text_document=lsp.TextDocumentIdentifier(uri=session.doc.uri),
                range=diagnostics[0].range,
                context=lsp.CodeActionContext(diagnostics=diagnostics),
            )
        ),
    )
    titles = [action.title for action in actions or []]
    assert any(title.startswith("Initialise 'missing'") for title in titles), titles
    for action in actions or []:
        session.check_edit(action.edit, f"code action {action.title!r}")
    session.check_quiet()


async def test_parsing_user_code_writes_nothing_to_stderr(fuzz_client: LanguageClient):
    """``0in`` is an "invalid decimal literal" SyntaxWarning for Python's parser: the
    server once printed it to its stderr for every buffer holding it."""
    session = await open_document(
        fuzz_client,
        "app.py",
        'import streamlit as st\nif 0in st.session_state.get("ids", []):\n    st.write(1)\n',
    )
    await pull_diagnostics(session)
    session.send_changes([(0, 0, "x = 1if True else 2\n")])
    await session.check_same_text()
    session.check_quiet()
