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
from streamlit_lsp.analysis.index import iter_python_files
from streamlit_lsp.lsp.engine import Engine
from streamlit_lsp.lsp.server import StreamlitLanguageServer
from streamlit_lsp.lsp.settings import section_of, server_settings

logger = logging.getLogger(__name__)

# Files reported changed or created together (a checkout, a pull) beyond this many are
# indexed as a batch: requests are answered meanwhile, and workers extract where they
# pay. Fewer (a save) are read at once.
RELOADED_AT_ONCE = 8


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
        # The cache entries of the files extracted here are stored after the first
        # analysis is published (``_write_deferred_cache``): the user waits for that,
        # the cache is for the next start.
        await index_paths_async(
            engine.index,
            files,
            progress=report,
            started=started,
            whole_workspace=True,
            defer_cache_writes=True,
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
            # A folder made or removed whole (a checkout, a move, a rename) may be
            # reported as the folder alone, not as each file in it (VS Code folds them):
            # every creation and deletion is watched, and folders are told apart here.
            # Python files' creations and deletions are among them: their own watcher
            # asks for changes only, or each would be reported twice.
            lsp.FileSystemWatcher(
                glob_pattern="**/*", kind=lsp.WatchKind.Create | lsp.WatchKind.Delete
            ),
            lsp.FileSystemWatcher(glob_pattern="**/*.py", kind=lsp.WatchKind.Change),
            lsp.FileSystemWatcher(glob_pattern="**/pyproject.toml"),
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


def _folder_deleted(ls: StreamlitLanguageServer, path: Path) -> bool:
    """A path that is gone and not a Python file: when it was a folder of indexed files,
    or a ``pages/`` folder (whose pages may hold no state), its files are forgotten,
    except those open in the editor, and the apps are found again. Whether it mattered."""
    engine = ls.ensure_engine()
    indexed = engine.index.paths_under(path)
    if not indexed and path.name != "pages":
        return False  # another kind of file, or a folder of nothing we know
    engine.index.forget_missing()
    open_paths = ls.open_paths()
    for file in indexed:
        if file not in open_paths:
            engine.remove(file)
    return True


def _folder_created(ls: StreamlitLanguageServer, path: Path) -> list[Path] | None:
    """A path that appeared and is not a Python file: None unless it is a folder the
    workspace's walk goes into; then modules and pages may be found there now, and its
    Python files that are not open (a buffer is their truth) are to be indexed."""
    engine = ls.ensure_engine()
    try:
        if not path.is_dir() or not engine.walk_reaches(path):
            return None
    except OSError:
        return None
    engine.index.forget_missing()
    open_paths = ls.open_paths()
    config = engine.config_for(path)
    return [file for file in iter_python_files(path, config.is_excluded) if file not in open_paths]


def _existing(engine: Engine, paths: list[Path]) -> list[Path]:
    """The files still there; those gone since they were reported are forgotten (where
    the batch would report them unreadable)."""
    found = []
    for path in paths:
        if path.is_file():
            found.append(path)
        else:
            engine.remove(path)
    return found


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

    @server.feature(lsp.SHUTDOWN)
    def shutdown(ls: StreamlitLanguageServer, params: None) -> None:
        ls.write_deferred_cache_now()

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
    async def watched_files(
        ls: StreamlitLanguageServer, params: lsp.DidChangeWatchedFilesParams
    ) -> None:
        engine = ls.ensure_engine()
        ls.forget_resolved()  # a file moved or a link changed resolves elsewhere now
        changed = False
        reloaded: list[Path] = []  # Python files changed or created, not open
        to_index: list[Path] = []  # the files of folders created
        # VS Code may report the same event twice in one notification (seen for a
        # folder moved in): each is handled once, a folder walked once.
        for uri, change_type in dict.fromkeys((c.uri, c.type) for c in params.changes):
            path = ls.path_of(uri)
            if path is None:
                continue
            if path.name == "pyproject.toml":
                engine.reload_configs()
                changed = True
                continue
            if path.suffix != ".py":
                if change_type == lsp.FileChangeType.Created:
                    found = _folder_created(ls, path)
                    if found is not None:
                        to_index += found
                        changed = True
                elif change_type == lsp.FileChangeType.Deleted:
                    changed = _folder_deleted(ls, path) or changed
                continue
            if not ls.indexable(path):
                continue
            deleted = change_type == lsp.FileChangeType.Deleted
            if not deleted and engine.index.digest(path) is None and not engine.walk_reaches(path):
                continue  # a package installed into a virtualenv, an excluded file
            changed = True
            is_open = ls.open_document(uri) is not None
            if change_type != lsp.FileChangeType.Changed or not is_open:
                # A file appeared or went away (open or not: a page joins or leaves its
                # app, which discovery learns from this alone), or one not open changed
                # on disk: what resolution and discovery found is looked at again.
                engine.index.forget_missing()
            if is_open:
                continue  # open buffers are the truth while open
            if deleted:
                engine.remove(path)
            else:
                reloaded.append(path)
        if len(reloaded) <= RELOADED_AT_ONCE:
            for path in reloaded:
                engine.reload(path)
        else:
            to_index += _existing(engine, reloaded)
        if to_index:
            # Folders made whole and many files at once: files seen before (a folder
            # moved, a branch checked out again) come from the facts cache.
            await index_paths_async(engine.index, list(dict.fromkeys(to_index)))
        if changed:
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
        # A file the client holds problems of and that has none now is told so: the
        # client keeps what it was last told of a file the report leaves out.
        held = ls.workspace_reported | {previous.uri for previous in params.previous_result_ids}
        for uri in sorted(held - {item.uri for item in items}):
            items.append(
                lsp.WorkspaceFullDocumentDiagnosticReport(
                    uri=uri, items=[], version=ls.version_of(uri)
                )
            )
        ls.workspace_reported = {item.uri for item in items if item.items}
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
