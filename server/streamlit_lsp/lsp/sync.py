"""Lifecycle and document sync: indexing with progress, edits, files on disk, diagnostics."""

from __future__ import annotations

import asyncio
import logging
import uuid
from concurrent.futures import Future
from pathlib import Path

from lsprotocol import types as lsp
from pygls.capabilities import get_capability
from pygls.uris import from_fs_path

from streamlit_lsp import kept_analysis
from streamlit_lsp.analysis.bulk import index_paths_async
from streamlit_lsp.analysis.facts_cache import FactsCache
from streamlit_lsp.lsp.server import StreamlitLanguageServer
from streamlit_lsp.lsp.settings import section_of, server_settings

logger = logging.getLogger(__name__)


async def index_workspace(ls: StreamlitLanguageServer) -> None:
    engine = ls.ensure_engine()
    files = list(engine.workspace_files())
    token: str | None = None
    if get_capability(ls.client_capabilities, "window.work_done_progress", False):
        token = f"streamlit-lsp-index-{uuid.uuid4()}"
        try:
            await ls.work_done_progress.create_async(token)
            ls.work_done_progress.begin(
                token,
                lsp.WorkDoneProgressBegin(
                    title="Indexing Streamlit apps", percentage=0, cancellable=False
                ),
            )
        except Exception:
            logger.info("the client refused a progress token; indexing silently")
            token = None

    def report(done: int, total: int) -> None:
        if token is not None and total:
            ls.work_done_progress.report(
                token,
                lsp.WorkDoneProgressReport(
                    message=f"{done}/{total} files", percentage=int(100 * done / total)
                ),
            )

    if engine.index.cache is None:
        engine.index.cache = FactsCache.from_environment()
    try:
        # Batches between yields to the event loop, and the pool's work awaited, so
        # requests stay answered while the workspace is indexed.
        # The workers started with the server are for the first index only (which stops
        # them when it ends).
        started, ls.started_workers = ls.started_workers, None
        await index_paths_async(
            engine.index, files, progress=report, started=started, whole_workspace=True
        )
        cache = engine.index.cache
        if cache is not None and not cache.disabled:
            engine.keep_analysis_at(kept_analysis.location(cache.root, engine.index.roots))
        # Reported before the progress ends, so a client that sees the end has them all.
        for message in engine.config_messages:
            ls.window_log_message(
                lsp.LogMessageParams(type=lsp.MessageType.Warning, message=message)
            )
        for problem in engine.index.problems:
            ls.window_log_message(
                lsp.LogMessageParams(type=lsp.MessageType.Info, message=problem.message)
            )
    finally:
        if token is not None:
            ls.work_done_progress.end(token, lsp.WorkDoneProgressEnd(message=f"{len(files)} files"))
    if ls.indexing_done is not None:
        ls.indexing_done.set()
    ls.schedule_refresh(0)  # analysed in slices: requests are answered meanwhile


def _watch_files(ls: StreamlitLanguageServer) -> None:
    if not get_capability(
        ls.client_capabilities, "workspace.did_change_watched_files.dynamic_registration", False
    ):
        return
    options = lsp.DidChangeWatchedFilesRegistrationOptions(
        watchers=[
            lsp.FileSystemWatcher(glob_pattern="**/*.py"),
            lsp.FileSystemWatcher(glob_pattern="**/pyproject.toml"),
            # A pages/ folder made or removed whole (a checkout, a move) may be reported
            # as the folder alone, not as each file in it.
            lsp.FileSystemWatcher(glob_pattern="**/pages"),
        ]
    )
    registration = lsp.Registration(
        id="streamlit-lsp-watch",
        method=lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=options,
    )
    registered = ls.client_register_capability(lsp.RegistrationParams(registrations=[registration]))

    def reported(done: Future[None]) -> None:
        if not done.cancelled() and done.exception() is None:
            ls.report_creations()

    registered.add_done_callback(reported)


def _watch_configuration(ls: StreamlitLanguageServer) -> None:
    if not get_capability(
        ls.client_capabilities, "workspace.did_change_configuration.dynamic_registration", False
    ):
        return
    registration = lsp.Registration(
        id="streamlit-lsp-configuration", method=lsp.WORKSPACE_DID_CHANGE_CONFIGURATION
    )
    ls.client_register_capability(lsp.RegistrationParams(registrations=[registration]))


def _pages_folder_changed(
    ls: StreamlitLanguageServer, folder: Path, change: lsp.FileChangeType
) -> None:
    """A ``pages/`` folder appeared or went away whole: its app's pages are found again
    (a folder that appeared is listed then), and the files it held are forgotten,
    except those open in the editor."""
    engine = ls.ensure_engine()
    engine.index.forget_missing()
    if change != lsp.FileChangeType.Deleted:
        return
    open_paths = {ls.path_of(uri) for uri in ls.workspace.text_documents}
    for path in engine.index.paths:
        if path.is_relative_to(folder) and path not in open_paths:
            engine.remove(path)


def register(server: StreamlitLanguageServer) -> None:
    @server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def configuration_changed(
        ls: StreamlitLanguageServer, params: lsp.DidChangeConfigurationParams
    ) -> None:
        section = section_of(params.settings)
        if section is not None and section is not params.settings:
            ls.apply_settings(section)
        else:
            await ls.pull_settings()
        ls.schedule_refresh(0)

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: StreamlitLanguageServer, params: lsp.InitializeParams) -> None:
        # Only remembered here: the client is still waiting for our answer.
        try:
            ls.watch_parent(params.process_id)
        except RuntimeError:
            logger.info("cannot watch the editor's process")
        section = section_of(params.initialization_options)
        if section is not None:
            ls.initial_settings = dict(section)
            ls.raw_settings = dict(section)
            ls.settings, _ = server_settings(ls.raw_settings)

    @server.feature(lsp.INITIALIZED)
    async def initialized(ls: StreamlitLanguageServer, params: lsp.InitializedParams) -> None:
        ls.indexing_done = asyncio.Event()
        try:
            _watch_files(ls)
            _watch_configuration(ls)
        except Exception:
            logger.info("file watching could not be registered; changes are picked up on save")
        if ls.raw_settings:
            ls.apply_settings(ls.raw_settings)
        await ls.pull_settings()
        try:
            await index_workspace(ls)
        except Exception:
            logger.exception("indexing the workspace failed")
            if ls.indexing_done is not None:
                ls.indexing_done.set()

    def _update_from_buffer(ls: StreamlitLanguageServer, uri: str) -> None:
        path = ls.path_of(uri)
        if path is None or path.suffix != ".py" or not ls.indexable(path):
            return
        # Extraction waits for the next analysis (debounced, or the next request that
        # needs fresh facts): a burst of keystrokes costs one parse, not one each.
        ls.dirty.add(uri)
        ls.schedule_refresh()

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: StreamlitLanguageServer, params: lsp.DidOpenTextDocumentParams) -> None:
        _update_from_buffer(ls, params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: StreamlitLanguageServer, params: lsp.DidChangeTextDocumentParams) -> None:
        _update_from_buffer(ls, params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: StreamlitLanguageServer, params: lsp.DidSaveTextDocumentParams) -> None:
        _update_from_buffer(ls, params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: StreamlitLanguageServer, params: lsp.DidCloseTextDocumentParams) -> None:
        ls.forget_buffer(params.text_document.uri)
        path = ls.path_of(params.text_document.uri)
        if path is not None and path.suffix == ".py" and ls.indexable(path):
            # The buffer may have held unsaved text: the file on disk is the truth again.
            ls.ensure_engine().reload(path)
            ls.schedule_refresh()

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched_files(ls: StreamlitLanguageServer, params: lsp.DidChangeWatchedFilesParams) -> None:
        engine = ls.ensure_engine()
        ls.forget_resolved()  # a file moved or a link changed resolves elsewhere now
        for change in params.changes:
            path = ls.path_of(change.uri)
            if path is None:
                continue
            if path.name == "pyproject.toml":
                engine.reload_configs()
                continue
            if path.name == "pages" and not path.suffix:
                _pages_folder_changed(ls, path, change.type)
                continue
            if path.suffix != ".py" or not ls.indexable(path):
                continue
            is_open = ls.open_document(change.uri) is not None
            if change.type != lsp.FileChangeType.Changed or not is_open:
                # A file appeared or went away (open or not: a page joins or leaves its
                # app, which discovery learns from this alone), or one not open changed
                # on disk: what resolution and discovery found is looked at again.
                engine.index.forget_missing()
            if is_open:
                continue  # open buffers are the truth while open
            if change.type == lsp.FileChangeType.Deleted:
                engine.remove(path)
            else:
                engine.reload(path)
        ls.schedule_refresh()

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    async def folders_changed(
        ls: StreamlitLanguageServer, params: lsp.DidChangeWorkspaceFoldersParams
    ) -> None:
        """pygls has updated ``ls.workspace.folders``: index the added folders' files,
        forget the removed folders' ones, then analyse again."""
        engine = ls.ensure_engine()
        ls.forget_resolved()
        added = engine.set_roots(ls.workspace_roots())
        await index_paths_async(engine.index, list(engine.workspace_files(added)))
        # Open buffers are the truth for their files, whichever folders are open.
        ls.dirty.update(ls.workspace.text_documents)
        ls.schedule_refresh(0)

    @server.feature(lsp.WORKSPACE_DIAGNOSTIC)
    async def workspace_diagnostics(
        ls: StreamlitLanguageServer, params: lsp.WorkspaceDiagnosticParams
    ) -> lsp.WorkspaceDiagnosticReport:
        """Every file with diagnostics (the Problems panel of a pull client)."""
        if not ls.workspace_pulls:
            ls.workspace_pulls = True
            ls.schedule_refresh(0)  # withdraws what was pushed for files not open
        if ls.indexing_done is not None:
            await ls.indexing_done.wait()
        items: list[lsp.WorkspaceFullDocumentDiagnosticReport] = []
        if ls.settings.enable:
            for path in sorted(ls.snapshot().diagnostics):
                uri = from_fs_path(str(path))
                if uri:
                    items.append(
                        lsp.WorkspaceFullDocumentDiagnosticReport(
                            uri=uri, items=ls.diagnostics_for(path), version=ls.version_of(uri)
                        )
                    )
        return lsp.WorkspaceDiagnosticReport(items=items)

    @server.feature(
        lsp.TEXT_DOCUMENT_DIAGNOSTIC,
        lsp.DiagnosticOptions(
            identifier="streamlit-lsp", inter_file_dependencies=True, workspace_diagnostics=True
        ),
    )
    async def pull_diagnostics(
        ls: StreamlitLanguageServer, params: lsp.DocumentDiagnosticParams
    ) -> lsp.RelatedFullDocumentDiagnosticReport:
        if ls.indexing_done is not None:
            await ls.indexing_done.wait()
        path = ls.path_of(params.text_document.uri)
        items = ls.diagnostics_for(path) if path is not None else []
        return lsp.RelatedFullDocumentDiagnosticReport(items=items)
