"""Facts of unchanged files, kept on disk between runs (the warm start).

Extraction depends on a file's text only, so its ``FileFacts`` are stored under the
text's digest (the one the index computes anyway) in the user cache directory, one file
per entry. A *salt* names the folder entries live in: the package version, a schema
number, the Python version and a digest of the modules that define what facts are. A
changed extractor, facts class or Python therefore looks in a new folder and never reads
stale facts; old folders are pruned like any old entry.

Robustness: entries are written to a temporary file and renamed into place, so readers
and concurrent writers (two servers, a server and ``check``) only ever see whole
entries. An entry that cannot be read or unpickled, or that holds anything but the facts
of its digest, is ignored (and rewritten by the next extraction). A cache directory
that cannot be created or written disables the cache for the run, never the analysis.

Entries are pickles, written only by this module into a folder of the user's own
(created ``0o700``); loading one that fails for any reason falls back to extracting.

A warm start reads entries without unpickling them (``get_stored``): each is unpickled
when the analysis first asks for that file's facts. An entry's header says whether its
text parses, which the index needs at once (ST000), so nothing else is unpickled early.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import logging
import os
import pickle
import secrets
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from streamlit_lsp.analysis.collector import collector_paused
from streamlit_lsp.analysis.facts import FileFacts

logger = logging.getLogger(__name__)

# Raise when the layout of entries changes (what is pickled, not what facts hold: the
# salt covers the facts' definitions).
SCHEMA = 2
ENV_DIR = "STREAMLIT_LSP_CACHE_DIR"
DEFAULT_MAX_BYTES = 256 * 1024 * 1024
# Pruning keeps this fraction of the limit, so it does not run again on the next write.
PRUNE_TO = 0.8
# A hit on an entry last used longer ago than this marks it used again (pruning removes
# the least recently used first); an hour is fine-grained enough for that.
TOUCH_AFTER_SECONDS = 3600
# Pruning looks at every entry (a ``stat`` each: 2.8 s for a full cache of 100,000
# entries on the development machine), so it looks only when the cache may be over its
# limit: the size it measured last, plus what was written since (``_LEDGER``), is. What
# another process wrote may be missed (two writers of the ledger at once): it looks
# again at least once a day whatever the ledger says.
PRUNE_LOOK_EVERY_SECONDS = 24 * 3600
_LEDGER: Final = "size-ledger"
_LEDGER_FORMAT: Final = 1
_MAGIC = b"stlsp-facts\n"
TEMPORARY_PREFIX = ".tmp-"
# A new file only, never one a link points at (as ``tempfile.mkstemp`` opens them).
_CREATE_FLAGS = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
)
PICKLE_PROTOCOL = pickle.HIGHEST_PROTOCOL
# Modules whose source defines the facts (their classes, and how text becomes them),
# relative to the package.
_FACT_MODULES = (
    "analysis/extract.py",
    "analysis/facts.py",
    "analysis/widgets.py",
    "analysis/source.py",
    "noqa.py",
    "diagnostics.py",
    "records.py",
)


def default_directory(environ: Mapping[str, str] | None = None) -> Path | None:
    """Where the cache lives: ``$STREAMLIT_LSP_CACHE_DIR`` (empty: no cache) or the
    user cache directory."""
    environ = os.environ if environ is None else environ
    configured = environ.get(ENV_DIR)
    if configured is not None:
        return Path(configured).expanduser() if configured.strip() else None
    import platformdirs  # only here: the CLI's other commands never need it

    return Path(platformdirs.user_cache_dir("streamlit-lsp")) / "facts"


def version_salt() -> str:
    """A name that changes whenever cached facts could differ for the same text."""
    from streamlit_lsp import __version__

    hasher = hashlib.blake2b(digest_size=8)
    hasher.update(f"{__version__}|{SCHEMA}|{sys.implementation.name}|{sys.version}".encode())
    package = Path(__file__).parent.parent
    for module in _FACT_MODULES:
        # A development checkout changes the extractor without changing the version.
        with contextlib.suppress(OSError):
            hasher.update((package / module).read_bytes())
    return f"v{SCHEMA}-{hasher.hexdigest()}"


# The header's last line: whether the entry's text parses (the facts hold no ParseError).
_PARSES: Final = b"parses\n"
_DOES_NOT_PARSE: Final = b"error\n"


@dataclass(frozen=True, slots=True)
class StoredFacts:
    """A cache entry read but not unpickled yet: what the index keeps for a file until
    its facts are first asked for."""

    digest: str
    parses: bool
    # The whole entry; the pickle starts at ``offset``.
    data: bytes
    offset: int

    def load(self) -> FileFacts | None:
        """The facts, or None when the entry cannot be unpickled into facts."""
        # Out of the collector's sight, as facts indexed in bulk are: a workspace's
        # facts unpickled one by one during its first analysis, and scanned by every
        # collection after, made that analysis 0.6 s slower on 2,000 files.
        with collector_paused():
            try:
                facts = pickle.loads(memoryview(self.data)[self.offset :])
            except Exception:  # truncated, corrupt, or classes that no longer exist
                return None
        return facts if isinstance(facts, FileFacts) else None


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    writes: int = 0
    errors: int = 0


class FactsCache:
    """Facts by content digest, in ``root/<salt>/<digest[:2]>/<digest>``."""

    def __init__(
        self, root: Path, salt: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> None:
        self.root = root
        self.folder = root / (salt or version_salt())
        self.max_bytes = max_bytes
        self.stats = CacheStats()
        # Set when the folder cannot be written: the run goes on without the cache.
        self.disabled = False
        # Temporary files of this writer: the process and a random token tell it from
        # other writers (workers, another server, ``check``) on the same folder.
        self._temporary_prefix = f"{TEMPORARY_PREFIX}{os.getpid()}-{secrets.token_hex(4)}-"
        self._temporary_count = itertools.count()
        # Bytes of entries written since the last ``prune`` (here, or by workers).
        self.written_bytes = 0
        # Facts to store when the process has time for it (``defer``), by digest.
        self._deferred: dict[str, FileFacts] = {}

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> FactsCache | None:
        directory = default_directory(environ)
        return cls(directory) if directory is not None else None

    def _path(self, digest: str) -> Path:
        return self.folder / digest[:2] / digest

    # ------------------------------------------------------------------ reading

    def get(self, digest: str) -> FileFacts | None:
        """The cached facts of a text with this digest, or None (missing or unusable)."""
        stored = self.get_stored(digest)
        if stored is None:
            return None
        facts = stored.load()
        if facts is None:
            self._unusable()
        return facts

    def get_stored(self, digest: str) -> StoredFacts | None:
        """The entry of a text with this digest, read but not unpickled (``load`` does
        that), or None when there is none or its header is not the digest's."""
        if self.disabled:
            return None
        path = self._path(digest)
        try:
            with open(path, "rb") as stream:
                data = stream.read()
                touched = os.fstat(stream.fileno()).st_mtime
        except OSError:
            self.stats.misses += 1
            return None
        stored = _stored(data, digest)
        if stored is None:
            self._unusable()
            return None
        self.stats.hits += 1
        # Recently used entries survive pruning (it removes the oldest first). An entry
        # used within the hour is recent enough: a warm start need not touch them all.
        if time.time() - touched > TOUCH_AFTER_SECONDS:
            with contextlib.suppress(OSError):
                os.utime(path)
        return stored

    def _unusable(self) -> None:
        """An entry was found but cannot be used: counted as a miss, and as an error."""
        self.stats.errors += 1
        self.stats.misses += 1

    # ------------------------------------------------------------------ writing

    def put(self, digest: str, facts: FileFacts) -> None:
        """Store the facts of a text; any failure only disables the cache."""
        if self.disabled:
            return
        try:
            pickled = pickle.dumps(facts, PICKLE_PROTOCOL)
        except (pickle.PicklingError, TypeError, ValueError, RecursionError):
            self.stats.errors += 1
            return  # facts too deep to pickle here: extracted again next time
        self.put_pickled(digest, pickled, parses=facts.parse_error is None)

    def defer(self, digest: str, facts: FileFacts) -> None:
        """``put``, later (``write_deferred``): for a process with something more urgent
        to do first. Storing an entry (pickling it, mostly) costs about a seventh of
        extracting the file, time the server's first index and analysis need more
        than the next start does."""
        if not self.disabled:
            self._deferred[digest] = facts

    @property
    def deferred(self) -> int:
        """Entries waiting to be stored."""
        return len(self._deferred)

    def write_deferred(self, seconds: float | None = None) -> bool:
        """Store deferred entries for about ``seconds`` (at least one entry; all of them
        when None); whether any are left."""
        deadline = None if seconds is None else time.monotonic() + seconds
        while self._deferred and not self.disabled:
            digest, facts = self._deferred.popitem()
            self.put(digest, facts)
            if deadline is not None and time.monotonic() >= deadline:
                break
        if self.disabled:
            self._deferred.clear()
        return bool(self._deferred)

    def put_pickled(self, digest: str, pickled: bytes, parses: bool) -> None:
        """Store facts already pickled (with ``PICKLE_PROTOCOL``), as a worker has them;
        ``parses``: the text parses (the facts hold no ``parse_error``)."""
        if self.disabled:
            return
        try:
            status = _PARSES if parses else _DOES_NOT_PARSE
            data = _header(digest) + status + pickled
            self._write(self._path(digest), data)
        except OSError as error:
            self.disabled = True
            logger.info("facts cache disabled: cannot write %s (%s)", self.folder, error)
            return
        self.stats.writes += 1
        self.written_bytes += len(data)

    def note_written(self, size: int) -> None:
        """An entry of about ``size`` bytes was written by a worker (for ``prune``)."""
        self.written_bytes += size

    def _write(self, path: Path, data: bytes) -> None:
        # A unique temporary name per writer, renamed into place: readers see the old
        # entry or the new one, never a partial one, whoever wins the race. The name is
        # this object's own prefix and a count (``O_EXCL`` refuses one that exists),
        # and the folder is made only when missing: ``tempfile.mkstemp`` and a
        # ``mkdir`` per entry took 0.3 of the 0.4 ms an entry cost to write (a tenth of
        # the indexing process's time in a cold index).
        temporary = path.parent / f"{self._temporary_prefix}{next(self._temporary_count)}"
        try:
            handle = os.open(temporary, _CREATE_FLAGS, 0o600)
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle = os.open(temporary, _CREATE_FLAGS, 0o600)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    # ------------------------------------------------------------------ pruning

    def prune(self) -> int:
        """Remove the least recently used entries (of any salt) beyond ``max_bytes``;
        the number removed. Looks at the entries only when the ledger says the cache
        may be over its limit, or has not been looked at for a day."""
        if self.disabled:
            return 0
        ledger = self.root / _LEDGER
        written, self.written_bytes = self.written_bytes, 0
        known = read_kept(ledger, _LEDGER_FORMAT)
        now = time.time()
        if isinstance(known, tuple) and len(known) == 2:
            looked_at, estimate = known
            estimate += written
            if estimate <= self.max_bytes and 0 <= now - looked_at < PRUNE_LOOK_EVERY_SECONDS:
                write_kept(ledger, _LEDGER_FORMAT, (looked_at, estimate))
                return 0
        entries = list(_entries(self.root))
        total = sum(size for _, size, _ in entries)
        removed = 0
        if total > self.max_bytes:
            target = self.max_bytes * PRUNE_TO
            for path, size, _ in sorted(entries, key=lambda entry: entry[2]):
                if total <= target:
                    break
                with contextlib.suppress(OSError):
                    path.unlink()
                    removed += 1
                total -= size
        write_kept(ledger, _LEDGER_FORMAT, (now, total))
        return removed


# ------------------------------------------------------- kept beside the facts


def workspace_name(roots: Sequence[Path]) -> str:
    """A file name for what is kept of the workspace with these folders."""
    joined = "\n".join(str(root) for root in roots).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(joined, digest_size=16).hexdigest()


def write_kept(path: Path, version: int, value: object) -> bool:
    """Write ``value`` (with the ``version`` of its layout) to ``path`` whole: written
    aside and renamed into place. False (and logged) when it cannot be written."""
    data = pickle.dumps((version, value), PICKLE_PROTOCOL)
    temporary = path.with_name(f"{TEMPORARY_PREFIX}{os.getpid()}-{path.name}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError as error:
        logger.info("cannot write %s (%s)", path, error)
        with contextlib.suppress(OSError):
            temporary.unlink()
        return False
    return True


def read_kept(path: Path, version: int) -> object | None:
    """What ``write_kept`` wrote with this ``version``; None when missing, damaged or
    of another version."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        written, value = pickle.loads(data)
    except Exception:  # damaged, or classes that no longer exist
        return None
    return value if written == version else None


def _header(digest: str) -> bytes:
    # The digest inside the entry too: a file renamed or copied to another entry's
    # name is not taken for that entry.
    return _MAGIC + digest.encode("ascii") + b"\n"


def _stored(data: bytes, digest: str) -> StoredFacts | None:
    """The entry ``data`` as ``StoredFacts``, if its header is that of ``digest``."""
    header = _header(digest)
    if not data.startswith(header):
        return None
    for status, parses in ((_PARSES, True), (_DOES_NOT_PARSE, False)):
        if data.startswith(status, len(header)):
            return StoredFacts(digest, parses, data, len(header) + len(status))
    return None


def _entries(root: Path) -> Iterator[tuple[Path, int, float]]:
    """(path, size, modification time) of every entry and leftover temporary file."""
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            try:
                stat = path.stat()
            except OSError:
                continue
            yield path, stat.st_size, stat.st_mtime
