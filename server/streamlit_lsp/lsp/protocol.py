"""The JSON-RPC protocol, hardened for what editors really send.

* Open documents follow LSP's line breaks (``documents.LspWorkspace``), not
  ``str.splitlines``.
* A ``didChange`` for a document that is not open (an editor race: a change sent just
  after the close) is ignored with a log line instead of a KeyError in pygls.
* A request whose params do not fit its method is answered with InvalidParams; pygls
  fails while decoding it, before it knows the id, and never answers.
* A request after ``shutdown`` is answered with InvalidRequest (LSP), not dropped.
* A handler cancelled at exit (the client went away while the server awaited it) ends
  quietly instead of leaving an asyncio traceback.
* Deliberate refusals (a rename that cannot be done safely) and unknown methods are
  answered with their error and logged quietly, not as internal errors with a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from concurrent.futures import Future
from typing import Any
from urllib.parse import unquote

import attrs
from lsprotocol import types as lsp
from pygls.exceptions import (
    JsonRpcException,
    JsonRpcInvalidParams,
    JsonRpcInvalidRequest,
    JsonRpcMethodNotFound,
)
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.protocol.json_rpc import JsonRPCRequestMessage, MsgId, RPCRequest

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
    """Drops pygls' traceback records of errors the server raised on purpose, and its
    warning for a $/cancelRequest of a request already answered: editors cancel what
    they no longer need as the user types, racing the answer (VS Code does, often)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg == UNKNOWN_CANCEL:
            return False
        error = record.exc_info[1] if record.exc_info else None
        return not is_expected(error)


UNKNOWN_CANCEL = 'Cancel notification for unknown message id "%s"'


@attrs.define
class RefusedRequest:
    """A request that is answered with ``error`` and never reaches a handler."""

    id: MsgId | None
    method: str
    error: JsonRpcException
    jsonrpc: str = "2.0"


def _is_request(data: dict[str, Any]) -> bool:
    # The same test pygls' structure_message applies (an "error" makes it a response).
    return "jsonrpc" in data and "id" in data and "method" in data and "error" not in data


def _usable_id(value: object) -> MsgId | None:
    """JSON-RPC ids are strings or numbers; anything else is answered with a null id."""
    return value if isinstance(value, (str, int)) and not isinstance(value, bool) else None


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

    def structure_message(self, data: dict[str, Any]) -> Any:
        if not _is_request(data):
            return super().structure_message(data)
        method = data["method"]
        if not isinstance(method, str):
            error: JsonRpcException = JsonRpcInvalidRequest("the method must be a string")
            return RefusedRequest(_usable_id(data["id"]), str(method), error)
        request_type = self.get_message_type(method) or JsonRPCRequestMessage
        try:
            return self._converter.structure(data, request_type)
        except Exception as failure:  # cattrs' ClassValidationError, or a bare TypeError
            logger.warning("invalid params for %s (request %r): %s", method, data["id"], failure)
            error = JsonRpcInvalidParams(f"invalid params for {method}")
            return RefusedRequest(_usable_id(data["id"]), method, error)

    def handle_message(self, message: Any) -> None:
        if isinstance(message, RefusedRequest):
            self._send_response(message.id, error=message.error.to_response_error())  # type: ignore[arg-type]
            return
        if self._shutdown and isinstance(message, RPCRequest):
            # pygls drops it, and the client would wait for ever.
            error = JsonRpcInvalidRequest(f"{message.method}: the server is shutting down")
            self._send_response(message.id, error=error.to_response_error())
            return
        super().handle_message(message)

    def _execute_handler(
        self,
        msg_id: MsgId,
        handler: Callable[..., Any],
        callback: Callable[[Future[Any]], None],
        args: tuple[Any, ...] | None = None,
        kwargs: dict[str, Any] | None = None,
    ) -> None:
        # pygls keeps the future of every asynchronous or generator handler by its id so
        # a $/cancelRequest can find it, but only forgets those of requests: one future
        # per didOpen/didChange/didClose stayed for ever (2 MB per 1,000 keystrokes).
        def forget_when_done(future: Future[Any]) -> None:
            try:
                callback(future)
            finally:
                if self._request_futures.get(msg_id) is future:
                    # A new dict, not ``del``: shutdown cancels the pending futures while
                    # iterating this one, and a cancelled future runs this callback.
                    self._request_futures = {
                        key: value for key, value in self._request_futures.items() if key != msg_id
                    }

        super()._execute_handler(msg_id, handler, forget_when_done, args, kwargs)

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
