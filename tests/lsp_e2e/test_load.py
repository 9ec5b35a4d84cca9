"""Load: 200 open documents, bursts of 1,000 edits, 10 requests in flight, memory flat.

The reliability issue asks for exactly this, through a real stdio client (pytest-lsp)
with VS Code's capabilities (UTF-16 positions, pushed diagnostics with versions):

* a generated workspace of 25 realistic multipage apps (the benchmark generator's page
  blocks: widgets, forms, callbacks, constants, f-string keys, emoji), whose 200 entry
  scripts and pages are all opened;
* each burst sends 1,000 incremental ``didChange`` edits (5 rounds over the 200 documents:
  a marker line typed in three pieces, an astral emoji replaced in it, the previous
  burst's marker line deleted) in waves, and while the edits stream, 10 requests
  (completion, hover, definition, references, documentSymbol) are kept in flight;
* every request must be answered without a JSON-RPC error and before a timeout;
* after each burst the server's view must equal the client's: every document's last
  published diagnostics carry its latest version, its document symbols hold this burst's
  marker key at the place the client computed (and no longer the previous one), and a
  ``# noqa`` probe of every line (the quick fix goes at the end of the line as the server
  sees it) gives the same line lengths as the client's text;
* memory is flat: the server's resident set (``VmRSS`` in ``/proc/<pid>/status``) may
  not grow, after two warm-up bursts, by more than ``LEAK_LIMIT_MB_PER_BURST`` in the
  median burst.

Why that limit: each burst replaces every document's marker line, so the workspace's
size stays the same and a correct server ends each burst holding the same state; what
it keeps per edit or per request grows with every burst instead. Measured here (two
shared cores), a server without leaks moves by 0-0.5 MB a burst (allocator churn), while
the leak this test found (a Future kept per notification, ~2 KB per didChange) adds
2.0-2.2 MB every burst, as would keeping every document version (200 documents x 5
versions x ~2 KB). 1.25 MB in the median burst lets the churn through and stops such a
leak even in the CI run (five measured bursts). The median, not the mean: a leak grows
with the work, so it shows in every burst, while a cache filled once shows in one. The
one such cache measured here is jedi's: the first hover that infers a type through
``st.session_state`` makes jedi parse Streamlit's modules (18-58 MB, once), at whatever
burst a random hover first lands on such a key. The test fills it before measuring, and
the median keeps any other first-time fill from reading as a leak. Two bursts warm up,
not one: the server keeps analysis results per app and per file, filled as the edits
first reach each app. Five bursts are measured, not three: one-time fills of 1-2.6 MB
still land at random bursts (measured on the same code: 0.2, 2.6 and 1.3 MB in one run
of three measured bursts, well under the limit in the next; flat at the same size from
the sixth burst on in runs of ten), and two of them move the median of three, not of five.

CI runs ``STREAMLIT_LSP_LOAD_BURSTS`` bursts (default 7: two warm-up, five measured,
about 70 s on two idle cores); the issue's full run is ``STREAMLIT_LSP_LOAD_BURSTS=10``.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import itertools
import os
import random
import re
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from inprocess import connected_client
from lsprotocol import types as lsp
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from conftest import STDERR_WRAPPER, indexed, line_fixes, probe_line_ends, recording_client, units

REPO = Path(__file__).resolve().parents[2]
BURSTS = int(os.environ.get("STREAMLIT_LSP_LOAD_BURSTS", "7"))
APPS = 25
PAGES_PER_APP = 7  # + the entry script: 8 open documents per app
DOCUMENTS = APPS * (PAGES_PER_APP + 1)
ROUNDS = 5  # edits per document per burst
CHANGES_PER_BURST = DOCUMENTS * ROUNDS
WAVES = 5  # the edits of a burst go out in waves; requests stay in flight across them
IN_FLIGHT = 10
REQUEST_TIMEOUT = 120.0  # generous: two shared cores; a hang still fails
SETTLE_TIMEOUT = 180.0
LEAK_LIMIT_MB_PER_BURST = 1.25
SAMPLE = 25  # documents checked after each burst but the last (the last checks all)
PRESET = "visual-studio-code"

TRACEBACK = re.compile(r"Traceback \(most recent call last\)|\bERROR\b")
LINE_BREAK = re.compile(r"\r\n|\r|\n")


# ------------------------------------------------------------------ the workspace


def _generator() -> ModuleType:
    """``benchmarks/generate.py``: the realistic page blocks the benchmarks use."""
    path = REPO / "benchmarks" / "generate.py"
    spec = importlib.util.spec_from_file_location("streamlit_lsp_bench_generate", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def build_workspace(root: Path) -> list[Path]:
    """25 multipage apps (half ``pages/``, half ``st.navigation``); the 200 scripts to open."""
    generator = _generator()
    scripts: list[Path] = []
    for app in range(APPS):
        r = random.Random(app)
        base = root / f"app_{app:02d}"
        navigation = app % 2 == 1
        folder = "views" if navigation else "pages"
        files = {
            "lib/__init__.py": "",
            "lib/keys.py": generator.keys_module(),
            "lib/state.py": generator.state_module(),
        }
        views: list[tuple[str, str]] = []
        for number in range(PAGES_PER_APP):
            topic = r.choice(generator.TOPICS)
            emoji = r.choice(generator.EMOJI)
            name = f"{topic}_{number}.py" if navigation else f"{number + 1}_{emoji}_{topic}.py"
            views.append((name, f"{emoji} {topic.title()}"))
            page = generator.make_page(f"{emoji} {topic.title()}", r.randint(30, 70), r)
            files[f"{folder}/{name}"] = page.text()
        title = f"{generator.TOPICS[app % len(generator.TOPICS)].title()} app {app}"
        files["streamlit_app.py"] = (
            generator.entry_navigation_style(title, views)
            if navigation
            else generator.entry_pages_style(title)
        )
        for relative, text in files.items():
            path = base / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            if path.parent.name != "lib":
                scripts.append(path)
    assert len(scripts) == DOCUMENTS
    return scripts


# ------------------------------------------------------------------ the client's model


def position_of(text: str, offset: int, encoding: str) -> lsp.Position:
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    return lsp.Position(line=line, character=units(text[start:offset], encoding))


def marker_line(burst: str) -> str:
    return f'st.session_state["load_{burst}"] = 0  # 🎉 burst {burst}\n'


@dataclass
class OpenDocument:
    """The client's copy of one open document."""

    uri: str
    text: str
    version: int = 1

    @property
    def lines(self) -> list[str]:
        return LINE_BREAK.split(self.text)


@dataclass
class Load:
    """One server under load, and everything measured on it."""

    client: LanguageClient
    documents: list[OpenDocument]
    encoding: str
    stderr_log: Path
    random: random.Random = field(default_factory=lambda: random.Random(2024))
    in_flight: set[asyncio.Task[None]] = field(default_factory=set)
    sent: int = 0
    answered: int = 0
    failures: list[str] = field(default_factory=list)

    # ------------------------------------------------------------ edits

    def change(self, document: OpenDocument, start: int, end: int, new_text: str) -> None:
        """Replace ``text[start:end]`` on the client and send it as an incremental edit."""
        edit_range = lsp.Range(
            start=position_of(document.text, start, self.encoding),
            end=position_of(document.text, end, self.encoding),
        )
        document.text = document.text[:start] + new_text + document.text[end:]
        document.version += 1
        self.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(
                    uri=document.uri, version=document.version
                ),
                content_changes=[
                    lsp.TextDocumentContentChangePartial(range=edit_range, text=new_text)
                ],
            )
        )

    def edit_round(self, document: OpenDocument, round_number: int, burst: int) -> None:
        """One of the five edits a burst makes to a document.

        The document ends with the previous burst's marker line; afterwards it ends with
        this burst's: typed in three pieces (the first two leave code that does not
        parse), its emoji changed (an astral character: two UTF-16 units), the old one
        deleted.
        """
        end = len(document.text)
        if round_number == 0:
            self.change(document, end, end, 'st.session_state["load_')
        elif round_number == 1:
            self.change(document, end, end, f'b{burst}"] = 0')
        elif round_number == 2:
            self.change(document, end, end, f"  # 🎈 burst b{burst}\n")
        elif round_number == 3:
            balloon = document.text.rindex("🎈")
            self.change(document, balloon, balloon + 1, "🎉")
        else:
            previous = marker_line(f"b{burst - 1}" if burst else "start")
            start = document.text.rindex(previous)
            self.change(document, start, start + len(previous), "")

    # --------------------------------------------------------- requests

    def random_request(self) -> tuple[str, Awaitable[Any]]:
        """A request at a key-ish position of a random document, as the client sees it."""
        document = self.random.choice(self.documents)
        lines = document.lines
        number = self.random.randrange(len(lines))
        line = lines[number]
        found = line.find("session_state")
        column = found + len("session_state") + 2 if found >= 0 else 0
        column = min(column, len(line))
        position = lsp.Position(line=number, character=units(line[:column], self.encoding))
        identifier = lsp.TextDocumentIdentifier(uri=document.uri)
        kind = ("completion", "hover", "definition", "references", "documentSymbol")[self.sent % 5]
        client = self.client
        if kind == "completion":
            request = client.text_document_completion_async(
                lsp.CompletionParams(text_document=identifier, position=position)
            )
        elif kind == "hover":
            request = client.text_document_hover_async(
                lsp.HoverParams(text_document=identifier, position=position)
            )
        elif kind == "definition":
            request = client.text_document_definition_async(
                lsp.DefinitionParams(text_document=identifier, position=position)
            )
        elif kind == "references":
            request = client.text_document_references_async(
                lsp.ReferenceParams(
                    text_document=identifier,
                    position=position,
                    context=lsp.ReferenceContext(include_declaration=True),
                )
            )
        else:
            request = client.text_document_document_symbol_async(
                lsp.DocumentSymbolParams(text_document=identifier)
            )
        where = f"{kind} at {document.uri.rsplit('/', 2)[-2:]}:{number}:{column}"
        return where, request

    async def _answer(self, where: str, request: Awaitable[Any]) -> None:
        try:
            await asyncio.wait_for(request, REQUEST_TIMEOUT)
        except asyncio.TimeoutError:
            self.failures.append(f"{where}: no answer in {REQUEST_TIMEOUT:.0f} s")
        except Exception as error:
            self.failures.append(f"{where}: {error!r}")
        else:
            self.answered += 1

    def top_up(self) -> None:
        """Send requests until ``IN_FLIGHT`` are waiting for an answer."""
        while len(self.in_flight) < IN_FLIGHT:
            where, request = self.random_request()
            self.sent += 1
            task = asyncio.ensure_future(self._answer(where, request))
            self.in_flight.add(task)
            task.add_done_callback(self.in_flight.discard)

    async def burst(self, burst: int) -> None:
        """1,000 edits in waves; after each wave, 10 requests are in flight again, and
        the next wave goes out as soon as one of them has been answered."""
        edits = [
            (document, round_number)
            for round_number in range(ROUNDS)
            for document in self.documents
        ]
        assert len(edits) == CHANGES_PER_BURST
        wave = len(edits) // WAVES
        for first in range(0, len(edits), wave):
            for document, round_number in edits[first : first + wave]:
                self.edit_round(document, round_number, burst)
            self.top_up()
            await asyncio.wait(set(self.in_flight), return_when=asyncio.FIRST_COMPLETED)
        if self.in_flight:
            await asyncio.wait(set(self.in_flight))

    async def warm_type_inference(self) -> None:
        """Hover once on each key whose initial value only jedi can type.

        The first such inference makes jedi parse Streamlit's modules, a cache filled once;
        filled here, it does not land in whichever burst first hovers on such a key.
        """
        for probe in ('"submissions_', "last_email_"):
            document, number, line = next(
                (document, number, line)
                for document in self.documents
                for number, line in enumerate(document.lines)
                if probe in line and "session_state" in line
            )
            column = line.index(probe) + 2
            hover = await asyncio.wait_for(
                self.client.text_document_hover_async(
                    lsp.HoverParams(
                        text_document=lsp.TextDocumentIdentifier(uri=document.uri),
                        position=lsp.Position(
                            line=number, character=units(line[:column], self.encoding)
                        ),
                    )
                ),
                REQUEST_TIMEOUT,
            )
            assert hover is not None, f"no hover on {line.strip()!r}"

    # ---------------------------------------------------------- checks

    async def settled(self) -> None:
        """Wait until every document's last published diagnostics carry its version."""
        published: dict[str, int | None] = self.client.published_versions  # type: ignore[attr-defined]
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while True:
            behind = [d for d in self.documents if published.get(d.uri) != d.version]
            if not behind:
                return
            if time.monotonic() > deadline:
                sample = behind[0]
                raise AssertionError(
                    f"{len(behind)} documents never got diagnostics for their last version, "
                    f"e.g. {sample.uri}: published {published.get(sample.uri)}, "
                    f"client at {sample.version}"
                )
            await asyncio.sleep(0.1)

    async def check_same_view(self, burst: int, every: bool) -> None:
        """Symbols show this burst's marker where the client put it; every line has the
        client's length (in every document, or a sample of ``SAMPLE``)."""
        current, previous = f"load_b{burst}", f"load_b{burst - 1}" if burst else "load_start"
        documents = self.documents if every else self.random.sample(self.documents, SAMPLE)
        for document in documents:
            identifier = lsp.TextDocumentIdentifier(uri=document.uri)
            symbols = await asyncio.wait_for(
                self.client.text_document_document_symbol_async(
                    lsp.DocumentSymbolParams(text_document=identifier)
                ),
                REQUEST_TIMEOUT,
            )
            names = {symbol.name: symbol for symbol in symbols or []}
            assert current in names, f"{document.uri}: no symbol {current!r} after burst {burst}"
            assert previous not in names, f"{document.uri}: {previous!r} survived its deletion"
            expected = lsp.Position(
                line=len(document.lines) - 2, character=len("st.session_state[")
            )
            assert names[current].selection_range.start == expected, (
                f"{document.uri}: {current!r} at {names[current].selection_range.start}, "
                f"the client has it at {expected}"
            )
            assert await self.server_line_lengths(document) == [
                units(line, self.encoding) for line in document.lines
            ], f"{document.uri}: the server's lines differ from the client's after burst {burst}"

    async def server_line_lengths(self, document: OpenDocument) -> list[int]:
        """Each line's length as the server sees it: the ``# noqa`` quick fix for a
        diagnostic on a line is inserted at that line's end."""
        count = len(document.lines)
        actions = await asyncio.wait_for(
            probe_line_ends(self.client, document.uri, count), REQUEST_TIMEOUT
        )
        fixes = line_fixes(document.uri, actions)
        return [fixes[n].range.start.character if n in fixes else -1 for n in range(count)]

    def check_quiet(self) -> None:
        log = self.stderr_log.read_text(encoding="utf-8", errors="replace")
        assert not TRACEBACK.search(log), log[-3000:]
        for message in [*self.client.log_messages, *self.client.messages]:
            assert message.type != lsp.MessageType.Error, message.message


def resident_mb(pid: int) -> float:
    """The process's resident set size (``VmRSS``), in MB."""
    with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for process {pid}")


# ----------------------------------------------------------------------- the server


def _make_client() -> LanguageClient:
    """pytest-lsp's client, recording the version of each document's last publication."""

    def record(client: LanguageClient, params: lsp.PublishDiagnosticsParams) -> None:
        client.published_versions[params.uri] = params.version  # type: ignore[attr-defined]

    client = recording_client(record)
    client.published_versions = {}  # type: ignore[attr-defined]
    return client


@contextlib.asynccontextmanager
async def server_under_load(tmp_path: Path) -> AsyncIterator[Load]:
    workspace = tmp_path / "apps"
    scripts = build_workspace(workspace)
    stderr_log = tmp_path / "server-stderr.log"
    config = ClientServerConfig(
        server_command=[sys.executable, "-c", STDERR_WRAPPER, str(stderr_log)],
        client_factory=_make_client,
    )
    client = await config.start()
    assert isinstance(client, LanguageClient)
    process = client._server  # type: ignore[attr-defined]
    try:
        result = await client.initialize_session(
            lsp.InitializeParams(
                capabilities=client_capabilities(PRESET),
                root_uri=from_fs_path(str(workspace)),
                workspace_folders=[
                    lsp.WorkspaceFolder(uri=from_fs_path(str(workspace)) or "", name="apps")
                ],
            )
        )
        encoding = result.capabilities.position_encoding or lsp.PositionEncodingKind.Utf16
        deadline = time.monotonic() + SETTLE_TIMEOUT
        while not indexed(client):
            assert time.monotonic() < deadline, "the workspace was never indexed"
            await asyncio.sleep(0.05)
        documents = []
        for path in scripts:
            document = OpenDocument(
                uri=from_fs_path(str(path)) or "",
                text=path.read_text(encoding="utf-8") + marker_line("start"),
            )
            client.text_document_did_open(
                lsp.DidOpenTextDocumentParams(
                    text_document=lsp.TextDocumentItem(
                        uri=document.uri, language_id="python", version=1, text=document.text
                    )
                )
            )
            documents.append(document)
        yield Load(client, documents, encoding, stderr_log)
    finally:
        if process.returncode is None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.shutdown_session(), 10)
        if process.returncode is None:
            process.kill()
        await asyncio.wait_for(client.stop(), 10)


# ---------------------------------------------------------------------------- tests


class MemoryGrowth(AssertionError):
    """The server's memory grew with the work it was given."""


async def test_notifications_leave_nothing_behind(tmp_path: Path):
    """1,000 edits of one document: the server keeps nothing per notification."""
    folder = tmp_path / "app"
    folder.mkdir()
    text = 'import streamlit as st\n\nst.session_state.setdefault("clicks", 0)\n'
    (folder / "app.py").write_text(text, encoding="utf-8")
    uri = from_fs_path(str(folder / "app.py")) or ""
    async with connected_client() as client:
        await client.initialize_session(
            lsp.InitializeParams(
                capabilities=client_capabilities(PRESET),
                root_uri=from_fs_path(str(folder)),
                workspace_folders=[
                    lsp.WorkspaceFolder(uri=from_fs_path(str(folder)) or "", name="app")
                ],
            )
        )
        client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(
                text_document=lsp.TextDocumentItem(
                    uri=uri, language_id="python", version=1, text=text
                )
            )
        )
        end = lsp.Position(line=3, character=0)
        for version in range(2, 1002):
            client.text_document_did_change(
                lsp.DidChangeTextDocumentParams(
                    text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
                    content_changes=[
                        lsp.TextDocumentContentChangePartial(
                            range=lsp.Range(start=end, end=end), text="#"
                        )
                    ],
                )
            )
        symbols = await asyncio.wait_for(
            client.text_document_document_symbol_async(
                lsp.DocumentSymbolParams(text_document=lsp.TextDocumentIdentifier(uri=uri))
            ),
            REQUEST_TIMEOUT,
        )
        assert [symbol.name for symbol in symbols or []] == ["clicks"]
        kept = len(client.server.protocol._request_futures)  # type: ignore[attr-defined]
        if kept > 10:
            raise MemoryGrowth(f"{kept} futures kept after 1,000 didChange notifications")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads memory from /proc")
async def test_200_documents_in_bursts_of_1000_edits_with_10_requests_in_flight(
    tmp_path: Path,
):
    assert BURSTS >= 4, "STREAMLIT_LSP_LOAD_BURSTS: two bursts warm up, two or more measure"
    # The first bursts fill the analysis caches (results kept per app and per file, for
    # every app the edits reach): growth is measured once they are full.
    warm_up = 2
    async with server_under_load(tmp_path) as load:
        pid = load.client._server.pid  # type: ignore[attr-defined]
        await load.settled()
        # A question about every key builds what the bursts' requests would otherwise
        # build at random moments (every app's key occurrences): growth measured after
        # it is growth per burst, not a cache filled during one of them.
        await load.client.workspace_symbol_async(lsp.WorkspaceSymbolParams(query=""))
        await load.warm_type_inference()
        report = [f"opened {DOCUMENTS} documents: VmRSS {resident_mb(pid):.1f} MB"]
        rss: list[float] = []
        for burst in range(BURSTS):
            started = time.monotonic()
            sent_before = load.sent
            await load.burst(burst)
            assert not load.failures, "\n".join(load.failures[:20])
            edited = time.monotonic()
            await load.settled()
            settled = time.monotonic()
            # Read before the check: the last burst's check asks about every line of every
            # document, which fills the analysis caches of apps no burst touched.
            rss.append(resident_mb(pid))
            await load.check_same_view(burst, every=burst == BURSTS - 1)
            report.append(
                f"burst {burst + 1}: {CHANGES_PER_BURST} edits and "
                f"{load.sent - sent_before} requests in {edited - started:.1f} s, "
                f"settled in {settled - edited:.1f} s, checked in "
                f"{time.monotonic() - settled:.1f} s: VmRSS {rss[-1]:.1f} MB"
            )
            print(report[-1], flush=True)
        assert load.answered == load.sent, f"{load.sent - load.answered} requests unanswered"
        load.check_quiet()
        growth = statistics.median(
            later - earlier for earlier, later in itertools.pairwise(rss[warm_up - 1 :])
        )
        summary = "\n".join(report)
        print(summary)
        if growth >= LEAK_LIMIT_MB_PER_BURST:
            raise MemoryGrowth(
                f"VmRSS grew by {growth:.2f} MB in the median burst after burst {warm_up} "
                f"(limit {LEAK_LIMIT_MB_PER_BURST} MB):\n{summary}"
            )
