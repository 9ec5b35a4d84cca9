"""Run a pygls language server with server-side timing of every message.

Usage: ``python serverside.py TIMINGS.jsonl MODULE:FUNCTION [ARGS...]``

The server is started unchanged (``MODULE:FUNCTION`` with ``sys.argv`` set to
``[MODULE, *ARGS]``, e.g. ``streamlit_lsp.cli:main serve`` or
``jedi_language_server.cli:cli``); only pygls is wrapped, so the same launcher times
streamlit-lsp and jedi-language-server alike. For each request it appends a JSON line
``{"id", "method", "start", "end", "ms"}``: from the moment pygls starts decoding the
request's JSON body to the moment the response has been serialised and written to
stdout. Time spent waiting in the pipe while an earlier message is handled is not
included (the client-side figures include it). Notifications get a line too, timing
their synchronous handler. Timestamps are ``time.monotonic()`` (CLOCK_MONOTONIC, the
same clock in every process), so the client can line them up with its own.

With ``STREAMLIT_LSP_BENCH_PROFILE=FILE`` in the environment, the whole server runs
under cProfile and the statistics are written to FILE when it exits (``run.py
--profile DIR`` sets it; timings taken under the profiler are inflated).

Only the standard library and pygls are imported here: the launcher runs in whichever
environment holds the server (the dev venv, or jedi-language-server's own venv).
"""

from __future__ import annotations

import atexit
import cProfile
import importlib
import json
import os
import sys
import time


def install(timings_path: str) -> None:
    import pygls.io_ as io_module
    from pygls.protocol import JsonRPCProtocol

    out = open(timings_path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    pending: dict[object, tuple[float, str]] = {}
    current: dict[str, float] = {}

    class TimedJson:
        """``json`` for pygls.io_: remembers when each message started decoding."""

        def __getattr__(self, name: str) -> object:
            return getattr(json, name)

        @staticmethod
        def loads(*args: object, **kwargs: object) -> object:
            start = time.monotonic()
            message = json.loads(*args, **kwargs)  # type: ignore[arg-type]
            current["start"] = start
            method = getattr(message, "method", None)
            msg_id = getattr(message, "id", None)
            if method is not None and msg_id is not None:
                pending[msg_id] = (start, method)
            return message

    io_module.json = TimedJson()  # type: ignore[assignment]
    try:  # streamlit-lsp reads stdio with a framer of its own, decoding with json too
        import streamlit_lsp.lsp.stdio as stdio_module
    except ImportError:  # another server (jedi-language-server's venv)
        pass
    else:
        stdio_module.json = TimedJson()  # type: ignore[assignment]

    original_handle = JsonRPCProtocol.handle_message
    original_send = JsonRPCProtocol._send_data

    def handle_message(self: JsonRPCProtocol, message: object) -> object:
        try:
            return original_handle(self, message)
        finally:
            method = getattr(message, "method", None)
            if method is not None and getattr(message, "id", None) is None:
                end = time.monotonic()
                start = current.get("start", end)
                out.write(
                    json.dumps(
                        {
                            "method": method,
                            "start": start,
                            "end": end,
                            "ms": (end - start) * 1000,
                            "kind": "notification",
                        }
                    )
                    + "\n"
                )

    def send_data(self: JsonRPCProtocol, data: object) -> object:
        result = original_send(self, data)
        msg_id = getattr(data, "id", None)
        if msg_id is not None and getattr(data, "method", None) is None:
            entry = pending.pop(msg_id, None)
            if entry is not None:
                end = time.monotonic()
                start, method = entry
                out.write(
                    json.dumps(
                        {
                            "id": msg_id,
                            "method": method,
                            "start": start,
                            "end": end,
                            "ms": (end - start) * 1000,
                            "kind": "request",
                        }
                    )
                    + "\n"
                )
        return result

    JsonRPCProtocol.handle_message = handle_message  # type: ignore[method-assign]
    JsonRPCProtocol._send_data = send_data  # type: ignore[method-assign]


def main() -> None:
    if len(sys.argv) < 3 or ":" not in sys.argv[2]:
        sys.exit(__doc__)
    timings_path, target, *arguments = sys.argv[1:]
    install(timings_path)
    profile_path = os.environ.get("STREAMLIT_LSP_BENCH_PROFILE")
    if profile_path:
        profiler = cProfile.Profile()
        atexit.register(lambda: profiler.dump_stats(profile_path))
        # streamlit-lsp ends with os._exit (it does not join worker threads), which
        # skips atexit: the statistics are written on the way out there too.
        real_exit = os._exit

        def exit_after_dump(code: int) -> None:
            profiler.disable()
            profiler.dump_stats(profile_path)
            real_exit(code)

        os._exit = exit_after_dump  # type: ignore[assignment]
        profiler.enable()
    module_name, _, function_name = target.partition(":")
    function = getattr(importlib.import_module(module_name), function_name)
    sys.argv = [module_name, *arguments]
    result = function()
    sys.exit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    main()
