"""The ``streamlit-lsp`` command (contract: ``../shared/spec/cli.md``)."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from streamlit_lsp import __version__

if TYPE_CHECKING:
    from streamlit_lsp.checker import CheckResult

EXIT_CLEAN = 0
EXIT_DIAGNOSTICS = 1
EXIT_ERROR = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="streamlit-lsp",
        description="Finds st.session_state mistakes in Streamlit apps before they run.",
    )
    parser.add_argument("--version", action="version", version=f"streamlit-lsp {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = commands.add_parser("check", help="analyse apps and print diagnostics")
    check.add_argument("paths", nargs="*", type=Path, default=[Path(".")], metavar="PATH")
    check.add_argument("--format", choices=("text", "json", "github", "sarif"), default="text")
    check.add_argument(
        "--select", metavar="CODES", help="comma-separated codes or prefixes to report"
    )
    check.add_argument(
        "--ignore", metavar="CODES", help="comma-separated codes or prefixes to leave out"
    )
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even with diagnostics")
    check.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")

    serve = commands.add_parser("serve", help="run the language server (stdio by default)")
    transport = serve.add_mutually_exclusive_group()
    transport.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (default)")
    transport.add_argument("--tcp", action="store_true", help="listen on a TCP port")
    transport.add_argument("--ws", action="store_true", help="listen for a WebSocket client")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=2087, help="port for --tcp/--ws (default 2087)")
    serve.add_argument("--log-file", type=Path, help="write the server log to this file")
    serve.add_argument(
        "-v", "--verbose", action="count", default=0, help="more logging (-vv: debug)"
    )

    state_map = commands.add_parser("map", help="print the session-state map of a workspace")
    state_map.add_argument("path", nargs="?", type=Path, default=Path("."), metavar="PATH")
    state_map.add_argument("--format", choices=("table", "json", "mermaid"), default="table")

    rule = commands.add_parser("rule", help="print a rule's documentation")
    rule.add_argument("code", nargs="?", metavar="CODE")
    rule.add_argument("--all", action="store_true", help="list every rule")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        # The reader went away (`streamlit-lsp check | head`): not an error worth a
        # traceback. Point stdout at devnull so the interpreter's final flush is quiet.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_DIAGNOSTICS
    except KeyboardInterrupt:
        return 130


def _main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    try:
        arguments = parser.parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0) if stop.code in (0, None) else EXIT_ERROR
    if arguments.command == "check":
        return _check(arguments)
    if arguments.command == "rule":
        return _rule(arguments)
    if arguments.command == "serve":
        return _serve(arguments)
    if arguments.command == "map":
        return _map(arguments)
    parser.print_help(sys.stderr)
    return EXIT_ERROR


def _map(arguments: argparse.Namespace) -> int:
    import json

    from streamlit_lsp.analysis import state_map
    from streamlit_lsp.checker import build_model
    from streamlit_lsp.deepstack import call_with_deep_stack

    target = arguments.path
    if not target.exists():
        print(f"streamlit-lsp: {target}: no such file or folder", file=sys.stderr)
        return EXIT_ERROR
    target = target.resolve()
    model = call_with_deep_stack(lambda: build_model(target))
    entries = call_with_deep_stack(lambda: state_map.build_map(model))
    root = target if target.is_dir() else target.parent
    if arguments.format == "json":
        print(json.dumps(state_map.to_json(entries, root), indent=2))
    elif arguments.format == "mermaid":
        print(state_map.to_mermaid(entries))
    else:
        print(state_map.to_table(entries, root))
    return EXIT_CLEAN


def _serve(arguments: argparse.Namespace) -> int:
    level = logging.WARNING - 10 * min(arguments.verbose, 2)
    handler: logging.Handler = (
        logging.FileHandler(arguments.log_file, encoding="utf-8")
        if arguments.log_file
        else logging.StreamHandler(sys.stderr)  # never stdout: it is the protocol channel
    )
    logging.basicConfig(
        level=level, handlers=[handler], format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    from streamlit_lsp.analysis.bulk import start_workers

    # Before the server's own imports (most of its start-up): the workers are ready
    # when the workspace is read.
    started = start_workers()
    from streamlit_lsp.lsp.server import ClientStream, create_server
    from streamlit_lsp.lsp.stdio import serve_stdio

    server = create_server()
    server.started_workers = started
    # What start-up made (modules, the protocol's classes and converters: about 57,000
    # objects the collector tracks) lives as long as the process: out of the collector's
    # scans, where the full collection that starts the first index took 22 ms of it.
    gc.freeze()
    if arguments.tcp:
        server.start_tcp(arguments.host, arguments.port)
    elif arguments.ws:
        server.start_ws(arguments.host, arguments.port)
    else:
        # LSP's exit code: 0 when `exit` follows `shutdown`, 1 when it does not.
        code = serve_stdio(server, sys.stdin.buffer, ClientStream(sys.stdout.buffer))
        # The client is gone or asked us to exit, and nothing is left to save: end now,
        # without joining worker threads (a hover's type inference may still run).
        logging.shutdown()
        os._exit(code)
    return EXIT_CLEAN


def _rule(arguments: argparse.Namespace) -> int:
    from streamlit_lsp.rules import RULES

    if arguments.all or not arguments.code:
        for rule in RULES.values():
            print(f"{rule.code}  {rule.name:<30} {rule.severity.value:<8} {rule.summary}")
        return EXIT_CLEAN
    rule = RULES.get(arguments.code.upper())
    if rule is None:
        print(
            f"streamlit-lsp: unknown rule {arguments.code!r} (known: {', '.join(RULES)})",
            file=sys.stderr,
        )
        return EXIT_ERROR
    print(rule.documentation())
    return EXIT_CLEAN


def _check(arguments: argparse.Namespace) -> int:
    from streamlit_lsp.analysis.collector import collector_paused
    from streamlit_lsp.config import is_valid_selector, split_codes
    from streamlit_lsp.output import render
    from streamlit_lsp.rules import RULES

    logging.basicConfig(
        level=logging.INFO if arguments.verbose else logging.WARNING,
        format="streamlit-lsp: %(message)s",
        stream=sys.stderr,
    )
    for option in ("select", "ignore"):
        value = getattr(arguments, option)
        if value is not None:
            bad = [code for code in split_codes(value) if not is_valid_selector(code)]
            if bad:
                print(
                    f"streamlit-lsp: --{option}: unknown rule code(s): {', '.join(bad)}",
                    file=sys.stderr,
                )
                return EXIT_ERROR
    missing = [path for path in arguments.paths if not path.exists()]
    if missing:
        for path in missing:
            print(f"streamlit-lsp: {path}: no such file or folder", file=sys.stderr)
        return EXIT_ERROR
    # The cyclic collector off for the whole check, and what it made frozen after
    # (``collector_paused``): the index and the analysis pause it anyway, and the first
    # collection after them scanned everything the analysis made (0.14 s on 2,000
    # files), for the few cycles it leaves, which the process's exit frees.
    with collector_paused():
        result = _check_all(arguments)
        if result is None:
            return EXIT_ERROR
        for problem in result.problems:
            print(f"streamlit-lsp: {problem}", file=sys.stderr)
        render(
            result.diagnostics,
            arguments.format,
            cwd=Path.cwd(),
            rules=RULES,
            out=sys.stdout,
            files_checked=result.files_checked,
        )
    if result.diagnostics and not arguments.exit_zero:
        return EXIT_DIAGNOSTICS
    return EXIT_CLEAN


def _check_all(arguments: argparse.Namespace) -> CheckResult | None:
    """Every path's result, each with its own configuration; None after an internal
    error (reported)."""
    from streamlit_lsp.checker import CheckResult, check_paths
    from streamlit_lsp.config import load_config

    cwd = Path.cwd()
    total = CheckResult()
    try:
        for path in arguments.paths:
            config, config_problems = load_config(path.resolve() if path.exists() else cwd)
            total.problems.extend(
                f"{problem.path}: {problem.message}" for problem in config_problems
            )
            config = config.with_overrides(select=arguments.select, ignore=arguments.ignore)
            result = check_paths([path], config)
            total.diagnostics.extend(result.diagnostics)
            total.problems.extend(result.problems)
            total.files_checked += result.files_checked
    except Exception as error:  # the contract: exit 2 on internal error, with a message
        logging.getLogger(__name__).debug("internal error", exc_info=True)
        print(
            f"streamlit-lsp: internal error: {error.__class__.__name__}: {error}", file=sys.stderr
        )
        return None
    return total


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
