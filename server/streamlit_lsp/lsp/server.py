"""The language server object: state, document access, diagnostics publishing.

Feature modules (``completion``, ``navigation``, ``hover``, ``symbols``,
``code_actions``, ``sync``) register their handlers on the instance that
``create_server`` builds; each handler is a thin translation between the protocol
and the analysis (``Engine`` snapshots and ``Answers``).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import BinaryIO, TypeVar
from urllib.parse import unquote

from lsprotocol import types as lsp
from pygls.capabilities import get_capability
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import TextDocument

from streamlit_lsp import __version__
from streamlit_lsp.analysis.bulk import StartedWorkers
from streamlit_lsp.analysis.collector import collector_paused
from streamlit_lsp.analysis.incremental import RecentBuffers
from streamlit_lsp.analysis.index import PreparedBuffer, prepare_buffer, text_digest
from streamlit_lsp.analysis.source import SourceError, read_source, split_lines
from streamlit_lsp.checker import app_findings
from streamlit_lsp.deepstack import helper_thread
from streamlit_lsp.diagnostics import Diagnostic, Severity
from streamlit_lsp.lsp.documents import LspTextDocument
from streamlit_lsp.lsp.engine import Engine, Snapshot
from streamlit_lsp.lsp.positions import Converter
from streamlit_lsp.lsp.protocol import StreamlitProtocol, install_log_filters, is_expected
from streamlit_lsp.lsp.settings import SECTION, ServerSettings, section_of, server_settings
from streamlit_lsp.lsp.wire import make_converter

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Resolved paths kept by URI (``path_of``): more than the files a session touches.
RESOLVED_KEPT = 1024

SOURCE = "streamlit-lsp"
DEBOUNCE_SECONDS = 0.15
# Converters kept for the texts asked about last: the documents a user has in view.
CONVERTERS_KEPT = 16
# Buffers from this many lines are extracted when opened (``_prime_buffer``); below
# that a whole extraction of the first edit takes a few milliseconds.
PRIMED_BUFFER_LINES = 300
# An edited buffer under this many lines is extracted on the event loop itself when the
# extraction thread is idle: the hop to the thread and back (about a millisecond) costs
# more than extracting its edit, and even a whole extraction of it is a few tens.
INLINE_EXTRACTION_LINES = 500
_DONE = object()  # the end of a generator of steps
# Work done on the event loop in steps (walks, apps) yields to it once a slice has run
# this long: a request arriving meanwhile waits at most a slice (and the step under
# way), while short work runs straight through. A yield per step cost a turn of the
# loop (a ``select``) for each of an app's twenty walks, most of them kept as they were.
SLICE_SECONDS = 0.005
# At shutdown, the cache entries still to store are written for this long at most.
# VS Code's client waits 2 s for the answer to ``shutdown`` before it stops the server.
SHUTDOWN_CACHE_SECONDS = 1.0

SEVERITIES = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.INFORMATION: lsp.DiagnosticSeverity.Information,
    Severity.HINT: lsp.DiagnosticSeverity.Hint,
}


class TimeSlices:
    """Where work on the event loop yields to it: at the first pause once a slice of
    ``SLICE_SECONDS`` has run."""

    def __init__(self) -> None:
        self._started = time.monotonic()

    async def pause(self) -> None:
        if time.monotonic() - self._started >= SLICE_SECONDS:
            await asyncio.sleep(0)
            self._started = time.monotonic()


class StreamlitLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            name="streamlit-lsp",
            version=__version__,
            protocol_cls=StreamlitProtocol,
            converter_factory=make_converter,
        )
        self.engine: Engine | None = None
        # Whether the client reports files created and deleted (``report_creations``).
        self.creations_reported = False
        self.settings = ServerSettings()
        # The editor's settings: initializationOptions, overlaid by the latest answer to
        # workspace/configuration (which replaces the previous answer as a whole).
        self.initial_settings: dict[str, object] = {}
        self.raw_settings: dict[str, object] = {}
        self.indexing_done: asyncio.Event | None = None
        # What each URI's last publication said (findings, document version, facts stamp): a file
        # whose findings did not change is not sent again.
        self.published: dict[str, tuple[tuple[Diagnostic, ...], int | None, int | None]] = {}
        # Open documents edited since their facts were last extracted.
        self.dirty: set[str] = set()
        self._refresh: asyncio.TimerHandle | None = None
        self._refreshing: asyncio.Task[None] | None = None
        self._last_refresh = float("-inf")  # event-loop time the last refresh started
        # Whether the results of a whole-workspace analysis were moved out of the
        # garbage collector's sight (``_after_first_analysis``), which is done once.
        self._analysis_frozen = False
        # The client has asked for workspace diagnostics: it pulls every file's itself.
        self.workspace_pulls = False
        # The files the last workspace report gave problems: a client keeps a file's
        # problems until a report names the file again, so the next report tells each
        # of them that has none now (fixed elsewhere, or deleted) that it has none.
        self.workspace_reported: set[str] = set()
        self._parent_watch: asyncio.Task[None] | None = None
        # The converters of the texts asked about last, by path: each holds the text's
        # lines, and a request on an unchanged buffer must not split it again.
        self._converters: OrderedDict[Path, tuple[str, str, Converter]] = OrderedDict()
        self._resolved: dict[str, Path] = {}
        self._indexable: dict[Path, bool] = {}
        # What features prepare for each open document after an analysis (completion
        # registers its ranking and items), in ``_prepare_answers``.
        self.answer_preparers: list[Callable[[StreamlitLanguageServer, Snapshot, Path], None]] = []
        # Extraction workers started with the process (``serve``), for the first index.
        self.started_workers: StartedWorkers | None = None
        # The thread edited buffers are extracted on (``_extract_edits``); one, so a
        # burst of edits never has two extractions competing for the interpreter.
        self.extraction_thread = helper_thread("streamlit-lsp-extract")
        # The buffer text each URI is being extracted from there, and the extraction.
        self._extracting: dict[str, tuple[str, Future[PreparedBuffer]]] = {}
        # What was kept of the buffers extracted last, to extract their next versions by
        # statement: touched on that thread, or on the loop while the thread is idle
        # (``_extraction_idle``), under the lock either way.
        self._buffer_extractions = RecentBuffers()
        self._buffers_lock = threading.Lock()
        # What was handed to that thread and may not be done (pruned as they finish).
        self._extraction_jobs: list[Future[object]] = []

    # ---------------------------------------------------------------- access

    @property
    def encoding(self) -> str:
        try:
            return self.workspace.position_encoding or lsp.PositionEncodingKind.Utf16
        except RuntimeError:
            return lsp.PositionEncodingKind.Utf16

    async def whole_workspace_indexed(self) -> None:
        """Answers about every file (references, rename) wait for the start-up indexing:
        from a partial index they would miss files, and a rename would skip them."""
        if self.indexing_done is not None:
            await self.indexing_done.wait()

    def ensure_engine(self) -> Engine:
        if self.engine is None:
            self.engine = Engine(self.workspace_roots())
            self.engine.reload_configs(self.raw_settings)
            self.engine.index.creations_reported = self.creations_reported
        return self.engine

    def report_creations(self) -> None:
        """The client watches the workspace's files for us (the registration was
        taken): from now on it tells of every file created or deleted."""
        self.creations_reported = True
        if self.engine is not None:
            self.engine.index.creations_reported = True

    def apply_settings(self, raw: object) -> None:
        """New editor settings: server switches, and analysis keys over pyproject.toml."""
        section = section_of(raw)
        if section is None:
            return
        self.raw_settings = {**self.initial_settings, **section}
        self.settings, messages = server_settings(self.raw_settings)
        engine = self.ensure_engine()
        engine.reload_configs(self.raw_settings)
        for message in [*messages, *engine.config_messages]:
            self.window_log_message(
                lsp.LogMessageParams(type=lsp.MessageType.Warning, message=message)
            )

    async def pull_settings(self) -> None:
        """Ask a client that supports ``workspace/configuration`` for our section."""
        if not get_capability(self.client_capabilities, "workspace.configuration", False):
            return
        try:
            result = await self.workspace_configuration_async(
                lsp.ConfigurationParams(items=[lsp.ConfigurationItem(section=SECTION)])
            )
        except Exception:
            logger.info("the client did not answer workspace/configuration")
            return
        if result and isinstance(result[0], dict):
            self.apply_settings(result[0])

    def workspace_roots(self) -> list[Path]:
        roots: list[Path] = []
        for folder in self.workspace.folders.values():
            path = to_fs_path(folder.uri)
            if path:
                roots.append(Path(path))
        if not roots and self.workspace.root_path:
            roots.append(Path(self.workspace.root_path))
        return roots

    def path_of(self, uri: str) -> Path | None:
        """The file a URI names, resolved. Kept by URI: resolving makes a system call
        per folder of the path, and every request starts here. A change to files on
        disk (``forget_resolved``, on watched-file and folder events) forgets them."""
        kept = self._resolved.get(uri)
        if kept is not None:
            return kept
        path = self._resolve_uri(uri)
        if path is not None:
            if len(self._resolved) >= RESOLVED_KEPT:
                self._resolved.clear()
            self._resolved[uri] = path
        return path

    def forget_resolved(self) -> None:
        self._resolved.clear()
        self._indexable.clear()

    @staticmethod
    def _resolve_uri(uri: str) -> Path | None:
        path = to_fs_path(uri)
        if not path:
            return None
        try:
            return Path(path).resolve()
        except (OSError, RuntimeError):
            # A symlink loop (RuntimeError up to Python 3.12, OSError from 3.13): the
            # file cannot be read, but requests on it are still answered.
            return Path(os.path.abspath(path))

    def indexable(self, path: Path) -> bool:
        """False for a path in a symlink loop: the index resolves every path it is
        given, which raises there. Such a file has no text to analyse anyway. Kept as
        the resolved paths are (every keystroke asks)."""
        kept = self._indexable.get(path)
        if kept is None:
            try:
                path.resolve()
                kept = True
            except (OSError, RuntimeError):
                logger.info("%s: skipped: a symlink loop", path)
                kept = False
            if len(self._indexable) >= RESOLVED_KEPT:
                self._indexable.clear()
            self._indexable[path] = kept
        return kept

    def text_of(self, path: Path) -> str | None:
        """The editor's buffer when the file is open, else the file on disk."""
        document = self._buffer_of(path)
        return document.source if document is not None else _disk_text(path)

    def _buffer_of(self, path: Path) -> TextDocument | None:
        """The open document of ``path``, whichever URI spelling the editor used."""
        uri = from_fs_path(str(path))
        document = self.open_document(uri) if uri else None
        if document is None and uri:
            for open_uri, candidate in self.workspace.text_documents.items():
                if self.path_of(open_uri) == path:
                    return candidate
        return document

    def converter(self, path: Path) -> Converter:
        """Position conversions for the text of ``path`` as the server has it now."""
        document = self._buffer_of(path)
        text = (document.source if document is not None else _disk_text(path)) or ""
        encoding = self.encoding
        kept = self._converters.get(path)
        # The same string object: an open buffer not edited since (an edit makes a new
        # string; a file read from disk is a new string on every read).
        if kept is not None and kept[0] is text and kept[1] == encoding:
            self._converters.move_to_end(path)
            return kept[2]
        # An open buffer's lines as its edits left them (a large one keeps them).
        lines = document.split_lines() if isinstance(document, LspTextDocument) else None
        converter = Converter(lines if lines is not None else split_lines(text), encoding)
        self._converters[path] = (text, encoding, converter)
        self._converters.move_to_end(path)
        if len(self._converters) > CONVERTERS_KEPT:
            self._converters.popitem(last=False)
        return converter

    def snapshot(self, fresh: bool = True) -> Snapshot:
        """The analysis; ``fresh=False`` accepts facts a few keystrokes old (completion
        reads the line being typed itself and must not wait for a parse)."""
        engine = self.ensure_engine()
        if fresh or engine.snapshot_missing:
            self.flush_edits()
        return engine.snapshot()

    def flush_edits(self) -> list[Path]:
        """Extract the edited buffers; the files whose facts changed. A buffer that
        ``extraction_thread`` is extracting as it is now is waited for, not extracted a
        second time beside it."""
        engine = self.ensure_engine()
        changed = []
        while self.dirty:
            uri = self.dirty.pop()
            path = self.path_of(uri)
            document = self.open_document(uri)
            if path is None or document is None:
                continue
            text = document.source
            digest = text_digest(text)
            if engine.index.has_digest(path, digest):
                continue
            prepared = self._extracted_on_thread(uri, text)
            if prepared is None and self._extraction_idle():
                prepared = self._prepare_buffer(uri, text, digest)  # waited for either way
            elif prepared is None:
                # After what that thread is doing (waited for here): by statement too.
                try:
                    prepared = self._submit_extraction(
                        self._prepare_buffer, uri, text, digest
                    ).result()
                except RuntimeError:  # the thread is stopped: the server is exiting
                    prepared = prepare_buffer(text, digest)
            if engine.set_buffer(path, prepared):
                changed.append(path)
        return changed

    def _extracted_on_thread(self, uri: str, text: str) -> PreparedBuffer | None:
        """What ``extraction_thread`` makes of ``text``, when it is extracting it (waited
        for); None when it is not, or failed."""
        pending = self._extracting.get(uri)
        if pending is None or pending[0] != text:
            return None
        try:
            return pending[1].result()
        except Exception:  # cancelled, or failed: extracted here instead
            return None

    def location(
        self, path: Path, span: object, converters: dict[Path, Converter] | None = None
    ) -> lsp.Location:
        converter = (converters or {}).get(path) or self.converter(path)
        if converters is not None:
            converters[path] = converter
        return lsp.Location(uri=from_fs_path(str(path)) or str(path), range=converter.range(span))  # type: ignore[arg-type]

    # ----------------------------------------------------------- diagnostics

    @property
    def pulls_diagnostics(self) -> bool:
        return (
            get_capability(self.client_capabilities, "text_document.diagnostic", None) is not None
        )

    def to_lsp_diagnostic(
        self, item: Diagnostic, converters: dict[Path, Converter]
    ) -> lsp.Diagnostic:
        converter = converters.get(item.path) or self.converter(item.path)
        converters[item.path] = converter
        related = [
            lsp.DiagnosticRelatedInformation(
                location=self.location(place.path, place.span, converters), message=place.message
            )
            for place in item.related
        ]
        return lsp.Diagnostic(
            range=converter.range(item.span),
            message=item.message,
            severity=SEVERITIES[item.severity],
            code=item.code,
            code_description=_code_description(item.code),
            source=SOURCE,
            related_information=related or None,
            tags=[lsp.DiagnosticTag.Unnecessary] if item.unnecessary else None,
            data={"key": item.key, "code": item.code},
        )

    def diagnostics_for(self, path: Path) -> list[lsp.Diagnostic]:
        if not self.settings.enable:
            return []
        snapshot = self.snapshot()
        converters: dict[Path, Converter] = {}
        return [self.to_lsp_diagnostic(item, converters) for item in snapshot.diagnostics_of(path)]

    def schedule_refresh(self, delay: float = DEBOUNCE_SECONDS) -> None:
        """Debounce: many edits in a burst produce one analysis and one publication.
        The first edit after a quiet spell is analysed at once (a single change should
        not wait); the ones that follow it closely wait for the burst to end."""
        loop = asyncio.get_running_loop()
        if self._refresh is not None:
            self._refresh.cancel()
        elif loop.time() - self._last_refresh >= delay:
            delay = 0
        self._refresh = loop.call_later(delay, self._start_refresh)

    def _start_refresh(self) -> None:
        self._refresh = None
        self._last_refresh = asyncio.get_running_loop().time()
        if self._refreshing is not None and not self._refreshing.done():
            self._refreshing.cancel()  # its snapshot is outdated; what it computed is kept
        self._refreshing = asyncio.get_running_loop().create_task(self._refresh_now())

    async def _extract_edits(self) -> list[Path]:
        """``flush_edits`` with each buffer extracted on ``extraction_thread``: the event
        loop answers requests meanwhile (a 5,000-line page takes a quarter of a second).
        A buffer stays dirty until its facts are in, so a request that needs fresh facts
        meanwhile gets them (``flush_edits`` waits for this extraction); an edit meanwhile
        cancels this refresh and leaves the buffer to the next."""
        engine = self.ensure_engine()
        changed: list[Path] = []
        for uri in list(self.dirty):
            path = self.path_of(uri)
            document = self.open_document(uri)
            if path is None or document is None:
                self.dirty.discard(uri)
                continue
            text = document.source
            digest = text_digest(text)
            if engine.index.has_digest(path, digest):  # opened or saved as it is indexed
                self.dirty.discard(uri)
                self._prime_buffer(uri, text)
                continue
            if text.count("\n") < INLINE_EXTRACTION_LINES and self._extraction_idle():
                prepared = self._prepare_buffer(uri, text, digest)
            else:
                future = self._submit_extraction(self._prepare_buffer, uri, text, digest)
                self._extracting[uri] = (text, future)
                try:
                    prepared = await asyncio.wrap_future(future)
                finally:
                    if self._extracting.get(uri, (text, None))[1] is future:
                        del self._extracting[uri]
            document = self.open_document(uri)
            if uri not in self.dirty or document is None or document.source != text:
                continue  # extracted meanwhile, or edited since: not these facts
            self.dirty.discard(uri)
            if engine.set_buffer(path, prepared):
                changed.append(path)
        return changed

    def _prepare_buffer(self, uri: str, text: str, digest: str) -> PreparedBuffer:
        """The buffer's facts, from its last version's (on ``extraction_thread``, or on
        the loop when that is idle). The collector is kept off meanwhile: extraction
        leaves no cycles, and its gen-0 collections were a tenth of a small edit's."""
        with self._buffers_lock, collector_paused(freeze=False):
            try:
                return prepare_buffer(text, digest, self._buffer_extractions.of(uri))
            finally:
                self._buffer_extractions.trim()

    def _submit_extraction(self, work: Callable[..., T], *args: object) -> Future[T]:
        """``work(*args)`` on ``extraction_thread``, counted until done."""
        future = self.extraction_thread.submit(work, *args)
        self._extraction_jobs = [job for job in self._extraction_jobs if not job.done()]
        self._extraction_jobs.append(future)  # type: ignore[arg-type]
        return future

    def _extraction_idle(self) -> bool:
        """Nothing handed to ``extraction_thread`` is left to run (only the loop hands
        work to it, so it stays idle while the loop extracts)."""
        return all(job.done() for job in self._extraction_jobs)

    def _forget_buffer_now(self, uri: str) -> None:
        with self._buffers_lock:
            self._buffer_extractions.forget(uri)

    def _prime_buffer(self, uri: str, text: str) -> None:
        """A large buffer opened as it is indexed: extracted on ``extraction_thread``
        meanwhile, so that its first edit is extracted by statement too (not the whole
        file: 90 ms for 1,000 lines, on the first keystroke)."""
        if text.count("\n") >= PRIMED_BUFFER_LINES:
            self._submit_extraction(self._prepare_buffer, uri, text, "")

    def forget_buffer(self, uri: str) -> None:
        """A closed buffer: what was kept to extract its next version goes."""
        self._submit_extraction(self._forget_buffer_now, uri)

    async def _refresh_now(self) -> None:
        try:
            edited = await self._extract_edits()
            await self._publish_edited(edited)
            await self._analyse_in_slices()
            self.publish_all()
            self._after_first_analysis()
            await self._prepare_answers()
            self.ensure_engine().forget_unasked()  # everything is published by now
            await self._write_deferred_cache()
        except asyncio.CancelledError:
            pass
        except Exception:
            logger.exception("could not refresh diagnostics")

    async def _analyse_in_slices(self) -> None:
        """Analyse app by app, yielding to the event loop in between: a request that
        arrives meanwhile (completion, hover) is answered without waiting for the whole
        workspace. Each app's findings are kept, so the publication after is cheap."""
        if not self.settings.enable:
            return
        slices = TimeSlices()
        for _ in self.ensure_engine().discovery_steps():
            await slices.pause()
        snapshot = self.snapshot()
        for app in snapshot.model.apps:
            # The collector off during a slice (as in ``check``): an app's walks make
            # many short-lived objects, freed as they go.
            with collector_paused(freeze=False):
                app_findings(snapshot.model, app)
            await slices.pause()

    def _after_first_analysis(self) -> None:
        """Once the first whole-workspace analysis is published: its findings are kept
        for the next start (``Engine.keep_analysis``), and what it left alive is kept
        out of the garbage collector's scans.

        What is alive then (every app's walks and key tables, kept while their files
        are unchanged) is moved out of the collector's sight, as indexing does with the
        facts (``gc.freeze``). A full collection then scans what was made since:
        0.13-0.15 s -> 5 ms on 2,000 files, a pause that fell on keystrokes. Done once:
        what is frozen and later dropped is freed by its reference count, and the
        analysis leaves no cycles to collect (measured over edits); a cycle among
        frozen objects would stay, so the few objects alive at that moment are all that
        could."""
        indexed = self.indexing_done is not None and self.indexing_done.is_set()
        if self._analysis_frozen or not indexed or not self.settings.enable:
            return  # (an analysis of a workspace still being read is not the whole)
        self._analysis_frozen = True
        self.ensure_engine().keep_analysis()
        gc.freeze()

    async def _write_deferred_cache(self) -> None:
        """Store the cache entries the start-up index left for later (``FactsCache.defer``),
        a slice at a time with requests answered in between, once the workspace is
        indexed and its analysis published. An edit meanwhile cancels this refresh; the
        next one goes on where it stopped."""
        indexed = self.indexing_done is not None and self.indexing_done.is_set()
        cache = self.ensure_engine().index.cache
        if not indexed or cache is None or not cache.deferred:
            return
        while cache.write_deferred(SLICE_SECONDS):
            await asyncio.sleep(0)
        cache.prune()  # (what the index wrote was counted then; these are on top)

    def write_deferred_cache_now(self) -> None:
        """At shutdown: store what is left of the deferred cache entries, for
        ``SHUTDOWN_CACHE_SECONDS`` at most (a client waits for the answer, and may stop
        the process when tired of waiting). Whatever is left is extracted again at the
        next start."""
        cache = self.engine.index.cache if self.engine is not None else None
        if cache is not None and cache.deferred:
            cache.write_deferred(SHUTDOWN_CACHE_SECONDS)
            cache.prune()

    async def _prepare_answers(self) -> None:
        """Find the key occurrences of the apps holding open documents, where the user
        asks for completion and hover next, so the first such request after an analysis
        does not build them (tens of milliseconds for a large app). One app at a time,
        yielding in between; apps with no open document are left for when asked."""
        snapshot = self.snapshot(fresh=False)  # edits since are for the next refresh
        prepared: set[tuple[Path, ...]] = set()
        for uri in list(self.workspace.text_documents):
            path = self.path_of(uri)
            if path is None or path.suffix != ".py":
                continue
            apps = tuple(app.entry for app in snapshot.model.program.apps_of(path))
            if not apps:
                continue  # a file of no app: its answers are the whole workspace's
            if apps not in prepared:
                prepared.add(apps)
                snapshot.answers.keys_for(path)
            # The file's occurrences: by line (the token under the cursor) and their keys.
            snapshot.answers.on_line(path, 1)
            snapshot.answers.keys_in_file(path)
            for prepare in self.answer_preparers:
                prepare(self, snapshot, path)
            await asyncio.sleep(0)

    async def _publish_edited(self, edited: list[Path]) -> None:
        """The edited files first, from the apps that hold them only: the user sees the
        buffer's diagnostics without waiting for the rest of the workspace. Their apps'
        runs are walked one at a time, with requests answered in between."""
        if not edited or not self.settings.enable or self.pulls_diagnostics:
            return
        snapshot = self.snapshot(fresh=False)
        model = snapshot.model
        slices = TimeSlices()
        for app in {
            app.entry: app for path in edited for app in model.program.apps_of(path)
        }.values():
            steps = model.analysis_steps(app)
            while True:
                with collector_paused(freeze=False):
                    walked = next(steps, _DONE) is not _DONE
                if not walked:
                    break
                await slices.pause()
        converters: dict[Path, Converter] = {}
        for path in edited:
            uri = from_fs_path(str(path))
            if uri:
                with collector_paused(freeze=False):  # (as for the walks above)
                    found = tuple(snapshot.diagnostics_of(path))
                self._send(uri, found, converters)

    def publish_all(self) -> None:
        """Push every file's diagnostics (or ask a pull client to pull again)."""
        if not self.pulls_diagnostics:
            self._push(self.snapshot().diagnostics if self.settings.enable else {}, set())
            return
        if get_capability(self.client_capabilities, "workspace.diagnostics.refresh_support", False):
            self.workspace_diagnostic_refresh(None)
        if self.workspace_pulls:
            # All of it is pulled now: withdraw whatever was pushed.
            self._push({}, self._open_uris() | self.published.keys())
            return
        # A client that pulls open documents only (Neovim 0.11) would never show the
        # files the user has not opened: those are pushed until it pulls the workspace.
        shown = self.snapshot().diagnostics if self.settings.enable else {}
        self._push(shown, self._open_uris())

    def _send(
        self, uri: str, items: tuple[Diagnostic, ...], converters: dict[Path, Converter]
    ) -> None:
        """Publish ``items`` for ``uri`` unless the client shows exactly that already."""
        version = self._version(uri)
        path = self.path_of(uri)
        # The stamp: same findings in a changed text may need other UTF-16 columns.
        stamp = self.ensure_engine().index.stamp(path) if path is not None else None
        sent = (items, version, stamp)
        if self.published.get(uri) == sent:
            return
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(
                uri=uri,
                diagnostics=[self.to_lsp_diagnostic(item, converters) for item in items],
                version=version,
            )
        )
        self.published[uri] = sent

    def open_paths(self) -> set[Path]:
        """The files open in the editor (their buffers are the truth while open)."""
        paths = (self.path_of(uri) for uri in self.workspace.text_documents)
        return {path for path in paths if path is not None}

    def _open_uris(self) -> set[str]:
        # pygls keys open documents by the unescaped URI; publish under our spelling.
        return {uri for uri in (from_fs_path(str(p)) for p in self.open_paths()) if uri}

    def _push(self, shown: dict[Path, list[Diagnostic]], pulled: set[str]) -> None:
        """Publish ``shown`` for every file but the ``pulled`` ones, sending only what
        differs from the client's current view."""
        open_uris = self._open_uris()
        # Open documents always get an answer, even when it is "nothing to report".
        wanted: dict[str, tuple[Diagnostic, ...]] = dict.fromkeys(open_uris - pulled, ())
        for path, items in shown.items():
            uri = from_fs_path(str(path))
            if uri and uri not in pulled:
                wanted[uri] = tuple(items)
        for uri in self.published.keys() - wanted.keys():
            wanted[uri] = ()  # no longer reported, or pulled now
        converters: dict[Path, Converter] = {}
        for uri, items in wanted.items():
            self._send(uri, items, converters)
        # A file told "nothing" needs no memory of it, unless open (and pushed).
        self.published = {
            uri: sent
            for uri, sent in self.published.items()
            if sent[0] or (uri in open_uris and uri not in pulled)
        }

    def version_of(self, uri: str) -> int | None:
        return self._version(uri)

    def _version(self, uri: str) -> int | None:
        document = self.open_document(uri)
        return document.version if document is not None else None

    def open_document(self, uri: str) -> TextDocument | None:
        """The open buffer for ``uri`` in any spelling (pygls keys them unescaped)."""
        documents = self.workspace.text_documents
        return documents.get(uri) or documents.get(unquote(uri))

    def report_server_error(self, error: Exception, source: object) -> None:
        # A failing handler must not pop up in the user's editor: log it. Errors sent on
        # purpose (a refused rename, an unknown method) are not internal errors at all.
        if is_expected(error):
            logger.info("%s", error)
            return
        if isinstance(error, BrokenPipeError):
            client_gone()
        logger.error("internal error (%s): %s", type(source).__name__, error, exc_info=error)

    def watch_parent(self, process_id: int | None) -> None:
        """LSP: exit when the editor's process is gone (so no orphan server is left)."""
        if not process_id or process_id == os.getpid():
            return

        async def watch() -> None:
            while True:
                await asyncio.sleep(PARENT_CHECK_SECONDS)
                if not _alive(process_id):
                    logger.info("the editor (process %s) is gone: exiting", process_id)
                    client_gone()

        self._parent_watch = asyncio.get_running_loop().create_task(watch())


def _disk_text(path: Path) -> str | None:
    try:
        return read_source(path)
    except SourceError:
        return None


def _code_description(code: str) -> lsp.CodeDescription | None:
    from streamlit_lsp.lsp.rule_docs import rule_doc_uri

    uri = rule_doc_uri(code)
    return lsp.CodeDescription(href=uri) if uri else None


PARENT_CHECK_SECONDS = 2.0


def _alive(process_id: int) -> bool:
    try:
        os.kill(process_id, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def client_gone() -> None:
    """The client cannot hear us any more: nothing is left to save, stop at once."""
    logging.shutdown()
    os._exit(0)


class ClientStream:
    """stdout for the protocol: when the client stops reading, the server stops too
    (instead of logging a broken pipe for every message it still wants to send)."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._closed_on_exit = False

    def write(self, data: bytes) -> int:
        if self._closed_on_exit:
            return 0  # a task cancelled at exit still reporting: nobody listens
        try:
            return self._stream.write(data)
        except (BrokenPipeError, ValueError):  # ValueError: the stream was closed
            client_gone()
            raise

    def flush(self) -> None:
        if self._closed_on_exit:
            return
        try:
            self._stream.flush()
        except (BrokenPipeError, ValueError):
            client_gone()

    def close(self) -> None:
        # Only pygls' exit handler closes it; what is written after that is dropped
        # rather than taken for a vanished client (which would end with code 0 at once).
        self._closed_on_exit = True
        self._stream.close()


def create_server() -> StreamlitLanguageServer:
    """A server with every feature registered (a new instance per call: tests, TCP)."""
    from streamlit_lsp.lsp import code_actions, completion, hover, navigation, symbols, sync

    install_log_filters()
    server = StreamlitLanguageServer()
    for module in (sync, completion, navigation, hover, symbols, code_actions):
        module.register(server)
    return server
