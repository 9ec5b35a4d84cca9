"""The floor of an edit's round trip: the least a pygls language server can do per edit.

It keeps each buffer as pygls does (incremental changes), parses the whole buffer with
``ast.parse`` on every change, and publishes one diagnostic per
``st.session_state["..."]`` it finds in the text (a regular expression, not an
analysis). That is what the benchmark's edit waits for: diagnostics naming the key the
edit reads, at the edit's version.

A server on this stack that parses its buffer whole cannot answer an edit faster: it
has to receive and decode the change, apply it, parse the text, and encode and send
the result. Measured with the same client, on the same page, in the same run, it shows
how much of the ``edit -> fresh diagnostics`` figure is the stack's (transport, pygls,
the parse) and how much is streamlit-lsp's analysis. (streamlit-lsp parses an edited
buffer by top-level statement, so on a large page it is faster than this floor.)
``run.py`` starts it through ``serverside.py`` as it starts the other servers
(``floor_server:main``).

Only the standard library, pygls and lsprotocol are imported here.
"""

from __future__ import annotations

import ast
import contextlib
import re

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

SESSION_STATE_KEY = re.compile(r"""session_state\[["']([^"'\n]+)["']\]""")

server = LanguageServer(
    "streamlit-lsp-benchmark-floor",
    "1",
    text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental,
)


def publish(ls: LanguageServer, uri: str) -> None:
    """Parse the buffer and publish a diagnostic per session-state subscript in it."""
    document = ls.workspace.get_text_document(uri)
    text = document.source
    # The floor's work is the parse; its outcome does not matter here.
    with contextlib.suppress(SyntaxError, ValueError, RecursionError, MemoryError):
        ast.parse(text)
    start = lsp.Position(line=0, character=0)
    diagnostics = [
        lsp.Diagnostic(
            range=lsp.Range(start=start, end=start),
            message=f"the key {key!r} is read",
            severity=lsp.DiagnosticSeverity.Warning,
            source="floor",
        )
        for key in SESSION_STATE_KEY.findall(text)
    ]
    ls.text_document_publish_diagnostics(
        lsp.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=document.version)
    )


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: LanguageServer, params: lsp.DidOpenTextDocumentParams) -> None:
    publish(ls, params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: LanguageServer, params: lsp.DidChangeTextDocumentParams) -> None:
    publish(ls, params.text_document.uri)


def main() -> None:
    server.start_io()
