"""What each file of a workspace was when it was last read, so a warm start need not
read it again.

A file's *signature* is what ``stat`` says of it: modification and change times (in
nanoseconds), size and inode. The book keeps, per file of a workspace, the signature it
had when it was read and what the reading found: the digest of its text, or that the
byte prefilter skipped it. On the next start a file whose signature is unchanged is
taken as unchanged: its digest finds its facts in the cache without reading or hashing
the text (reading and hashing 2,000 files took 0.08 s of a warm start in one process).

Why a signature is trusted: writing a file sets its modification and change times, and
nothing but the kernel sets the change time (``touch -d``, ``cp -p``, ``tar`` and
``git`` all leave a new one). The one gap is a write within the clock's resolution of
the read, which can leave the times unchanged: the *racily clean* case ``git`` knows.
So a signature is kept only for a file last modified (and last changed) well before
it was read (``SETTLED_NS``); a file written just before is read again next time.

The book lives in the facts cache's folder (its salt: a new extractor starts a new
book), one file per set of workspace folders, written whole (``write_kept``).
Anything wrong with it (missing, damaged, from another layout) means an empty book:
every file is read, as without one.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from streamlit_lsp.analysis.facts_cache import FactsCache, read_kept, workspace_name, write_kept

Signature = tuple[int, int, int, int]
# What a read found: the text's digest, or None for a file the prefilter skipped.
Reading = str | None

# A file modified less than this before it was read may change again without its times
# changing (a clock tick is at most a few milliseconds, two seconds on FAT): its
# signature is not kept. Generous, as it costs one read per file recently written.
SETTLED_NS: Final = 3_000_000_000
_BOOK_FORMAT: Final = 1
_FOLDER: Final = "signatures"


def signature(status: os.stat_result) -> Signature:
    return (status.st_mtime_ns, status.st_ctime_ns, status.st_size, status.st_ino)


class SignatureBook:
    """The signatures of a workspace's files as last read; see the module's docstring."""

    def __init__(self, location: Path | None, known: dict[str, tuple[Signature, Reading]]) -> None:
        self._location = location
        self._known = known
        # What this run read or confirmed: the book written at the end holds only these
        # (files gone since are not carried over).
        self._seen: dict[str, tuple[Signature, Reading]] = {}

    @classmethod
    def open(cls, cache: FactsCache | None, roots: Sequence[Path]) -> SignatureBook:
        """The book of the workspace with these folders (empty without a cache)."""
        if cache is None or cache.disabled:
            return cls(None, {})
        location = cache.folder / _FOLDER / workspace_name(roots)
        return cls(location, _read_book(location))

    def reading(self, path: str, status: os.stat_result) -> tuple[bool, Reading]:
        """(known, reading): whether ``path`` is unchanged since a read this book
        remembers, and what that read found."""
        entry = self._known.get(path)
        if entry is None or entry[0] != signature(status):
            return False, None
        self._seen[path] = entry
        return True, entry[1]

    def record(self, path: str, status: os.stat_result, reading: Reading, read_at_ns: int) -> None:
        """``path`` was read (it had ``status`` just before) and found ``reading``."""
        # The change time too: a write that sets the modification time back (``tar``,
        # ``cp -p``) leaves only that one recent.
        if max(status.st_mtime_ns, status.st_ctime_ns) < read_at_ns - SETTLED_NS:
            self._seen[path] = (signature(status), reading)

    def save(self) -> None:
        """Write what this run saw, for the next start; any failure only means the next
        start reads every file."""
        if self._location is not None and self._seen != self._known:
            write_kept(self._location, _BOOK_FORMAT, self._seen)


def _read_book(location: Path) -> dict[str, tuple[Signature, Reading]]:
    known = read_kept(location, _BOOK_FORMAT)
    return known if isinstance(known, dict) else {}


def now_ns() -> int:
    """The time a read starts, as the file system's times count it."""
    return time.time_ns()
