"""Reading source files safely, and turning ``ast`` positions into code-point spans.

``ast`` reports columns as UTF-8 byte offsets; everything downstream counts Unicode code
points (and the server converts those to the client's encoding). Lines are split the
way the Python tokenizer splits them (``\\r\\n``, ``\\r``, ``\\n`` only), not the way
``str.splitlines`` does, which also breaks on form feeds and U+2028.
"""

from __future__ import annotations

import ast
import contextlib
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path

from streamlit_lsp.diagnostics import Span

# Files larger than this are not analysed: nobody writes a 20 MB Streamlit page by hand,
# and parsing one would stall the server. Reported as a problem, not a diagnostic.
MAX_FILE_BYTES = 8 * 1024 * 1024

LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` as the tokenizer counts them (``\\r\\n``, ``\\r``, ``\\n``),
    without their breaks. Most files have no carriage return: ``str.split`` is then the
    same split, 4x faster than the regular expression (it runs on every keystroke, over
    the whole buffer, and on every file extracted)."""
    if "\r" not in text:
        return text.split("\n")
    return LINE_BREAK.split(text)


class SourceError(Exception):
    """A file that cannot be analysed (unreadable, binary, not UTF-8, too large)."""


def decode_source(data: bytes, path: Path | None = None) -> str:
    """Decode a Python file's bytes as Python does: UTF-8 (with BOM) or a PEP 263 cookie."""
    where = f"{path}: " if path else ""
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(
            f"{where}skipped: {len(data) // (1024 * 1024)} MB is too large to analyse"
        )
    if b"\x00" in data:
        raise SourceError(f"{where}skipped: binary file (contains NUL bytes)")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    encoding = _coding_cookie(data) or "utf-8"
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as error:
        raise SourceError(f"{where}skipped: not valid {encoding} ({error.reason})") from None


_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


def _coding_cookie(data: bytes) -> str | None:
    for line in data.split(b"\n", 2)[:2]:
        match = _COOKIE.match(line)
        if match:
            return match.group(1).decode("ascii")
    return None


def read_source(path: Path) -> str:
    """Read and decode a file; every failure becomes a ``SourceError`` with a clear message."""
    return decode_source(read_file_bytes(path), path)


def read_file_bytes(path: Path) -> bytes:
    """The bytes of a regular file, not too large; else a ``SourceError`` saying why.

    Anything but a regular file is refused before it is opened: opening a named pipe
    waits for a writer (for ever, blocking the server), a device may never end.
    """
    file_status(path)
    return read_accepted_file(path)


def file_status(path: Path) -> os.stat_result:
    """``stat`` of a file that may be read: a regular file, not too large; else a
    ``SourceError`` saying why."""
    with _reading(path):
        status = path.stat()
        if stat.S_ISDIR(status.st_mode):
            raise SourceError(f"{path}: skipped: a directory, not a file")
        if not stat.S_ISREG(status.st_mode):
            raise SourceError(f"{path}: skipped: {_file_kind(status.st_mode)}, not a regular file")
        if status.st_size > MAX_FILE_BYTES:
            raise SourceError(
                f"{path}: skipped: {status.st_size // (1024 * 1024)} MB is too large to analyse"
            )
        return status


def read_accepted_file(path: Path) -> bytes:
    """The bytes of a file ``file_status`` accepted."""
    with _reading(path):
        return path.read_bytes()


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Failures to look at or read ``path`` as ``SourceError``s."""
    try:
        yield
    except FileNotFoundError:
        raise SourceError(f"{path}: skipped: the file disappeared while being read") from None
    except IsADirectoryError:
        raise SourceError(f"{path}: skipped: a directory, not a file") from None
    except OSError as error:
        raise SourceError(f"{path}: skipped: cannot be read ({error.strerror or error})") from None


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


class LineIndex:
    """Converts ``ast`` (line, UTF-8 byte column) pairs to code-point spans."""

    def __init__(self, text: str) -> None:
        self._lines = split_lines(text)
        self._encoded: dict[int, bytes] = {}
        # On an ASCII line byte columns are code-point columns: only the other lines
        # need decoding (most files have none).
        self._non_ascii = (
            frozenset()
            if text.isascii()
            else frozenset(
                number for number, line in enumerate(self._lines, start=1) if not line.isascii()
            )
        )

    def line(self, number: int) -> str:
        """The text of a 1-based line, without its line break ('' past the end)."""
        if 1 <= number <= len(self._lines):
            return self._lines[number - 1]
        return ""

    @property
    def line_count(self) -> int:
        return len(self._lines)

    def column(self, line: int, byte_column: int) -> int:
        if line not in self._non_ascii:
            return byte_column
        text = self._lines[line - 1]
        data = self._encoded.get(line)
        if data is None:
            data = self._encoded[line] = text.encode("utf-8")
        return len(data[:byte_column].decode("utf-8", errors="ignore"))

    def span(self, node: ast.AST) -> Span:
        try:
            # Every statement and expression has these: plain attribute reads are
            # cheaper than getattr with a default (a span is taken per fact).
            line = node.lineno  # type: ignore[attr-defined]
            byte_column = node.col_offset  # type: ignore[attr-defined]
            end_line = node.end_lineno or line  # type: ignore[attr-defined]
            end_byte = node.end_col_offset  # type: ignore[attr-defined]
        except AttributeError:  # a node without a position (arguments, a context)
            line = getattr(node, "lineno", 1)
            end_line = getattr(node, "end_lineno", None) or line
            byte_column = getattr(node, "col_offset", 0)
            end_byte = getattr(node, "end_col_offset", None)
        non_ascii = self._non_ascii
        if line not in non_ascii and end_line not in non_ascii:
            return Span(line, byte_column, end_line, byte_column if end_byte is None else end_byte)
        column = self.column(line, byte_column)
        end_column = self.column(end_line, end_byte) if end_byte is not None else column
        return Span(line, column, end_line, end_column)

    def name_span(self, line: int, byte_column: int, name: str) -> Span:
        """The span of an identifier starting at (line, byte column)."""
        column = self.column(line, byte_column)
        return Span(line, column, line, column + len(name))
