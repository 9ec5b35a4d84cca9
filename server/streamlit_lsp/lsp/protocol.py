"""The JSON-RPC protocol, hardened for what editors really send.

* Open documents follow LSP's line breaks (``documents.LspWorkspace``), not
  ``str.splitlines``.
* A ``didChange`` for a document that is not open (an editor race: a change sent just
  after the close) is ignored with a log line instead of a KeyError in pygls.
* A handler cancelled at exit (the client went away while the server awaited it) ends
  quietly instead of leaving an asyncio traceback.
* Deliberate refusals (a rename that cannot be done safely) and unknown methods are
  answered with their error and logged quietly, not as internal errors with a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from concurrent.futures import Future
from typing import Any
from urllib.parse import unquote

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException, JsonRpcMethodNotFound
from pygls.protocol import LanguageServerProtocol, lsp_method

from streamlit_lsp.lsp.documents import LspWorkspace

logger = logging.getLogger(__name__)

# JSON-RPC errors the server sends on purpose; nothing went wrong inside it.
EXPECTED_ERRORS = (JsonRpcMethodNotFound,)
EXPECTED_CODES = frozenset(
    {lsp.LSPErrorCodes.RequestFailed.value, lsp.LSPErrorCodes.RequestCancelled.value}
)


def is_expected(error: BaseException | None) -> bool:
    if isinstance(error, EXPECTED_ERRORS):
        return True
    return isinstance(error, JsonRpcException) and error.code in EXPECTED_CODES


class QuietExpectedErrors(logging.Filter):
    """Drops pygls' traceback records of errors the server raised on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not is_expected(error)


class StreamlitProtocol(LanguageServerProtocol):
    @lsp_method(lsp.INITIALIZE)
    def lsp_initialize(
        self, params: lsp.InitializeParams
    ) -> Generator[Any, Any, lsp.InitializeResult]:
        result = yield from super().lsp_initialize(params)
        # pygls has just built a plain Workspace. No document can be open yet (the client
        # waits for this answer before its first didOpen), so it is replaced as it is.
        self._workspace = LspWorkspace.like(self.workspace)
        return result

    @lsp_method(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(
        self, params: lsp.DidChangeTextDocumentParams
    ) -> Generator[Any, Any, Any]:
        if unquote(params.text_document.uri) not in self.workspace.text_documents:
            logger.info("didChange for %s, which is not open: ignored", params.text_document.uri)
            return
        yield from super().lsp_text_document__did_change(params)

    def _run_generator(
        self,
        future: Future[Any] | None,
        *,
        gen: Generator[Any, Any, Any],
        result_future: Future[Any],
    ) -> None:
        # A handler pygls waits for (the async ``initialized`` awaiting the client's
        # answer to window/workDoneProgress/create...) is cancelled when the event loop
        # ends because the client went away. pygls would read its result, whose
        # CancelledError escapes its ``except Exception`` as an asyncio traceback.
        if future is not None and future.cancelled():
            gen.close()
            result_future.cancel()
            return
        super()._run_generator(future, gen=gen, result_future=result_future)


def install_log_filters() -> None:
    logging.getLogger("pygls.protocol.json_rpc").addFilter(QuietExpectedErrors())
