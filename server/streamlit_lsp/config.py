"""``[tool.streamlit-lsp]`` from the nearest ``pyproject.toml``.

The same settings drive the CLI and the server, so loading must never fail: an editor
that cannot start because of a typo in ``pyproject.toml`` is worse than one that runs
with defaults and says what it ignored. Each broken key (or broken entry of a list) falls
back to its default and yields one :class:`ConfigProblem`; the valid keys are kept.

Keys (kebab-case, like ruff's)::

    [tool.streamlit-lsp]
    select = ["ST0"]                       # codes or prefixes; empty or absent = all
    ignore = ["ST009"]
    exclude = ["build/**", "legacy_*.py", "tests"]
    entrypoints = ["app/main.py"]
    [tool.streamlit-lsp.per-file-ignores]
    "tests/**" = ["ST001"]
    [tool.streamlit-lsp.severity]
    ST002 = "error"

Validation is written by hand rather than with cattrs: cattrs' default structuring is
lenient in exactly the ways users get wrong (``select = "ST001"`` becomes
``['S', 'T', '0', '0', '1']``, ``[1]`` becomes ``['1']``), so it would need strict hooks
for every type, and the per-key fallback needs per-key structuring anyway. Hand-written
checks also let each message name the key and show an example of the expected shape.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

from streamlit_lsp.diagnostics import Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

__all__ = [
    "KNOWN_CODES",
    "Config",
    "ConfigProblem",
    "find_pyproject",
    "is_valid_selector",
    "load_config",
    "split_codes",
]

#: Every rule code of the catalog (``shared/spec/RULES.md``). Selectors must be prefixes
#: of one of these, so a typo such as ``ST01`` for ``ST010`` still works but ``ST11``
#: or ``E501`` is reported instead of silently selecting nothing.
KNOWN_CODES: frozenset[str] = frozenset(f"ST{number:03d}" for number in range(11))

#: ruff's spelling for "every rule"; accepted so ruff habits carry over.
_ALL = "ALL"

SECTION = "[tool.streamlit-lsp]"

_T = TypeVar("_T")

_KEYS = ("select", "ignore", "per-file-ignores", "exclude", "entrypoints", "severity")


@dataclass(frozen=True)
class ConfigProblem:
    """Something in the configuration that was ignored, and why (one line)."""

    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def is_valid_selector(selector: str, known_codes: Iterable[str] = KNOWN_CODES) -> bool:
    """True for ``ALL`` and for any non-empty prefix of a known code (``ST``, ``ST00``...)."""
    if selector == _ALL:
        return True
    return bool(selector) and any(code.startswith(selector) for code in known_codes)


def split_codes(text: str) -> tuple[str, ...]:
    """Split a CLI value such as ``"ST001, ST003"`` into normalized selectors."""
    return tuple(part.strip().upper() for part in text.split(",") if part.strip())


def _match_length(code: str, selectors: Iterable[str]) -> int:
    """Length of the longest selector that selects ``code``; -1 when none does.

    ``ALL`` counts as the empty prefix: it selects everything, less specifically than
    any real prefix.
    """
    best = -1
    for selector in selectors:
        if selector == _ALL:
            best = max(best, 0)
        elif code.startswith(selector):
            best = max(best, len(selector))
    return best


@dataclass(frozen=True)
class Config:
    """The effective settings for one workspace root."""

    root: Path
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] = ()
    entrypoints: tuple[Path, ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()
    #: The pyproject.toml the settings came from; None when there was none.
    pyproject: Path | None = None

    def rule_enabled(self, code: str, path: Path | None = None) -> bool:
        """Whether diagnostics with ``code`` are reported (in ``path``, when given).

        As in ruff, the most specific matching selector decides between ``select`` and
        ``ignore``, and ``ignore`` wins a tie, so ``select = ["ST"]`` with
        ``ignore = ["ST00"]`` keeps ST010 but drops ST001, while ``select = ["ST001"]``
        re-enables ST001 over ``ignore = ["ST00"]``. An empty ``select`` selects all.
        """
        selected = _match_length(code, self.select) if self.select else 0
        if selected < 0:
            return False
        if _match_length(code, self.ignore) >= selected:
            return False
        if path is not None and self.per_file_ignores:
            for pattern, codes in self.per_file_ignores:
                if _match_length(code, codes) >= 0 and _glob_matches(pattern, self, path):
                    return False
        return True

    def severity_for(self, code: str, default: Severity) -> Severity:
        """The configured level for ``code``; the longest matching prefix wins."""
        best: Severity = default
        best_length = -1
        for selector, level in self.severity:
            length = _match_length(code, (selector,))
            if length > best_length:
                best, best_length = level, length
        return best

    def is_excluded(self, path: Path) -> bool:
        """Whether ``path`` (absolute, or relative to ``root``) falls under ``exclude``.

        Patterns follow .gitignore: one without a slash matches a file or folder name at
        any depth (``tests``, ``legacy_*.py``); one with a slash is anchored at the root
        (``build/**``, ``/scripts``); a trailing slash matches folders only; ``**``
        spans folders. A matching folder excludes everything below it.
        """
        return any(_glob_matches(pattern, self, path) for pattern in self.exclude)

    def with_overrides(
        self,
        select: Iterable[str] | str | None = None,
        ignore: Iterable[str] | str | None = None,
    ) -> Config:
        """The CLI's ``--select``/``--ignore`` replace the configured lists, as in ruff.

        Accepts either the raw comma-separated option value or a list of selectors.
        Validation is the caller's business (see :func:`is_valid_selector`), since a bad
        code on the command line is a usage error rather than a config problem.
        """
        changes: dict[str, tuple[str, ...]] = {}
        if select is not None:
            changes["select"] = _as_selectors(select)
        if ignore is not None:
            changes["ignore"] = _as_selectors(ignore)
        return dataclasses.replace(self, **changes) if changes else self


def _as_selectors(value: Iterable[str] | str) -> tuple[str, ...]:
    if isinstance(value, str):
        return split_codes(value)
    return tuple(item.strip().upper() for item in value if item.strip())


# --- globs -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Glob:
    regex: re.Pattern[str]
    anchored: bool  # matched against root-relative path prefixes, else against names
    directories_only: bool  # written with a trailing slash


def _translate_segment(segment: str) -> str:
    """Regex for one path segment: ``*`` and ``?`` stay within it, ``[...]`` is a class."""
    out: list[str] = []
    index = 0
    while index < len(segment):
        char = segment[index]
        if char == "*":
            while index + 1 < len(segment) and segment[index + 1] == "*":
                index += 1
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[":
            close = segment.find("]", index + 2)
            if close == -1:
                out.append(re.escape(char))
            else:
                body = segment[index + 1 : close]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                index = close
        else:
            out.append(re.escape(char))
        index += 1
    return "".join(out)


@lru_cache(maxsize=512)
def _compile_glob(pattern: str) -> _Glob:
    text = pattern.strip().replace("\\", "/")
    directories_only = text.endswith("/")
    text = text.rstrip("/")
    while text.startswith("./"):
        text = text[2:]
    anchored = "/" in text
    text = text.lstrip("/")
    segments = text.split("/")
    parts: list[str] = []
    for index, segment in enumerate(segments):
        last = index == len(segments) - 1
        if segment == "**":
            parts.append(".*" if last else "(?:[^/]+/)*")
            continue
        parts.append(_translate_segment(segment))
        if not last:
            parts.append("/")
    return _Glob(re.compile("".join(parts)), anchored, directories_only)


def _relative_parts(root: Path, path: Path) -> tuple[tuple[str, ...], bool]:
    """``path``'s components relative to ``root``, and whether it lies under root.

    Compares normalized absolute paths first and resolved ones second, so a root that
    went through a symlink (``/tmp`` on macOS) still contains its files.
    """
    if not path.is_absolute():
        parts = Path(os.path.normpath(path)).parts
        return parts, not parts or parts[0] != os.pardir
    candidate = Path(os.path.normpath(path))
    base = Path(os.path.normpath(root.absolute()))
    try:
        return candidate.relative_to(base).parts, True
    except ValueError:
        pass
    try:
        return candidate.resolve().relative_to(base.resolve()).parts, True
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        return candidate.parts, False


def _glob_matches(pattern: str, config: Config, path: Path) -> bool:
    glob = _compile_glob(pattern)
    parts, inside = _relative_parts(config.root, path)
    parts = tuple(part for part in parts if part not in ("", "."))
    if not parts:
        return False

    def counts(depth: int) -> bool:
        # A folder pattern matches an ancestor folder, or the path when it is a folder.
        if not glob.directories_only or depth < len(parts):
            return True
        full = path if path.is_absolute() else config.root / path
        return full.is_dir()

    if glob.anchored:
        if not inside:
            return False
        return any(
            glob.regex.fullmatch("/".join(parts[:depth])) and counts(depth)
            for depth in range(1, len(parts) + 1)
        )
    # Unanchored: a name at any depth. Outside the root only names are comparable.
    start = 0 if inside else max(len(parts) - 1, 0)
    return any(
        glob.regex.fullmatch(parts[depth - 1]) and counts(depth)
        for depth in range(start + 1, len(parts) + 1)
    )


# --- loading -----------------------------------------------------------------------


def find_pyproject(start: Path) -> Path | None:
    """The nearest ``pyproject.toml`` at or above ``start`` (a file: from its folder)."""
    folder = Path(os.path.abspath(start))
    if folder.is_file():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            return pyproject
    return None


def _start_folder(start: Path) -> Path:
    folder = Path(os.path.abspath(start))
    return folder.parent if folder.is_file() else folder


def _describe(value: object) -> str:
    """A short, one-line rendering of a TOML value for an error message."""
    kind = {
        str: "a string",
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        list: "an array",
        dict: "a table",
    }.get(type(value), type(value).__name__)
    shown = repr(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{kind} ({shown})" if not isinstance(value, (list, dict)) else kind


class _Loader:
    """Validates one ``[tool.streamlit-lsp]`` table, collecting problems as it goes."""

    def __init__(self, pyproject: Path, known_codes: frozenset[str]) -> None:
        self.pyproject = pyproject
        self.known_codes = known_codes
        self.problems: list[ConfigProblem] = []

    def problem(self, key: str, message: str) -> None:
        self.problems.append(ConfigProblem(self.pyproject, f"{SECTION} {key}: {message}"))

    def string_list(
        self, key: str, value: object, example: str, convert: Callable[[str, str], _T | None]
    ) -> tuple[_T, ...]:
        """Convert each string of an array with ``convert(entry_key, text)``.

        The whole key falls back to empty when it is not an array; otherwise each bad
        entry is reported (in array order) and dropped, and the others are kept.
        ``convert`` returns None after reporting a problem with its entry.
        """
        if not isinstance(value, list):
            self.problem(
                key, f"expected an array of strings like {example}, got {_describe(value)}"
            )
            return ()
        kept: list[_T] = []
        for index, item in enumerate(value):
            entry = f"{key}[{index}]"
            if not isinstance(item, str):
                self.problem(entry, f"expected a string, got {_describe(item)}")
                continue
            converted = convert(entry, item)
            if converted is not None:
                kept.append(converted)
        return tuple(kept)

    def selectors(self, key: str, value: object) -> tuple[str, ...]:
        return self.string_list(key, value, '["ST001", "ST00"]', self.selector)

    def selector(self, entry: str, text: str) -> str | None:
        selector = text.strip().upper()
        if is_valid_selector(selector, self.known_codes):
            return selector
        self.problem(entry, self.unknown_code_message(text))
        return None

    def unknown_code_message(self, item: str) -> str:
        known = ", ".join(sorted(self.known_codes))
        return f"unknown rule code or prefix {item!r} (expected one of {known}, or a prefix)"

    def globs(self, key: str, value: object) -> tuple[str, ...]:
        def glob(entry: str, text: str) -> str | None:
            if text.strip():
                return text.strip()
            self.problem(entry, "expected a non-empty glob")
            return None

        return self.string_list(key, value, '["build/**", "legacy_*.py"]', glob)

    def entrypoints(self, value: object, root: Path) -> tuple[Path, ...]:
        def entrypoint(entry: str, text: str) -> Path | None:
            if not text.strip():
                self.problem(entry, "expected a file path, got an empty string")
                return None
            path = Path(os.path.normpath(root / text.strip()))
            # Kept anyway: the server may see the file appear later in the session.
            if not path.is_file():
                self.problem(entry, f"{text!r} does not exist under {root}")
            return path

        return self.string_list("entrypoints", value, '["app.py"]', entrypoint)

    def per_file_ignores(self, value: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
        key = "per-file-ignores"
        if not isinstance(value, dict):
            self.problem(
                key,
                f'expected a table of glob = array of codes (like "tests/**" = ["ST001"]), '
                f"got {_describe(value)}",
            )
            return ()
        kept: list[tuple[str, tuple[str, ...]]] = []
        for pattern, codes in value.items():
            entry = f"{key}.{_toml_key(pattern)}"
            if not pattern.strip():
                self.problem(entry, "expected a non-empty glob as the key")
                continue
            selectors = self.selectors(entry, codes)
            if selectors:
                kept.append((pattern.strip(), selectors))
        return tuple(kept)

    def severity(self, value: object) -> tuple[tuple[str, Severity], ...]:
        key = "severity"
        if not isinstance(value, dict):
            self.problem(
                key,
                f'expected a table of code = level (like ST002 = "error"), got {_describe(value)}',
            )
            return ()
        levels = '"error", "warning", "information" or "hint"'
        kept: list[tuple[str, Severity]] = []
        for code, level in value.items():
            entry = f"{key}.{_toml_key(code)}"
            selector = code.strip().upper()
            if not is_valid_selector(selector, self.known_codes):
                self.problem(entry, self.unknown_code_message(code))
                continue
            if not isinstance(level, str):
                self.problem(entry, f"expected {levels}, got {_describe(level)}")
                continue
            try:
                kept.append((selector, Severity.parse(level)))
            except ValueError:
                self.problem(entry, f"expected {levels}, got {level!r}")
        return tuple(kept)


def _toml_key(key: str) -> str:
    """A table key as it would be written in TOML, quoted unless it is a bare key."""
    if re.fullmatch(r"[A-Za-z0-9_-]+", key):
        return key
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def load_config(
    start: Path, known_codes: Iterable[str] = KNOWN_CODES
) -> tuple[Config, list[ConfigProblem]]:
    """Settings for the workspace containing ``start``, and what in them was ignored.

    Never raises for anything in the file: unreadable or invalid TOML gives the default
    configuration rooted at the file's folder plus one problem.
    """
    pyproject = find_pyproject(start)
    if pyproject is None:
        return Config(root=_start_folder(start)), []
    root = pyproject.parent
    defaults = Config(root=root, pyproject=pyproject)
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        return defaults, [ConfigProblem(pyproject, f"cannot read the file: {error}")]
    except tomllib.TOMLDecodeError as error:
        return defaults, [ConfigProblem(pyproject, f"invalid TOML: {error}")]

    tool = data.get("tool", {})
    section = tool.get("streamlit-lsp") if isinstance(tool, dict) else None
    if section is None:
        return defaults, []
    loader = _Loader(pyproject, frozenset(known_codes))
    if not isinstance(section, dict):
        return defaults, [
            ConfigProblem(pyproject, f"{SECTION} expected a table, got {_describe(section)}")
        ]
    return _from_section(section, defaults, loader), loader.problems


def _from_section(section: Mapping[str, Any], defaults: Config, loader: _Loader) -> Config:
    values: dict[str, Any] = {}
    for key, value in section.items():
        if key == "select":
            values["select"] = loader.selectors(key, value)
        elif key == "ignore":
            values["ignore"] = loader.selectors(key, value)
        elif key == "per-file-ignores":
            values["per_file_ignores"] = loader.per_file_ignores(value)
        elif key == "exclude":
            values["exclude"] = loader.globs(key, value)
        elif key == "entrypoints":
            values["entrypoints"] = loader.entrypoints(value, defaults.root)
        elif key == "severity":
            values["severity"] = loader.severity(value)
        else:
            close = difflib.get_close_matches(key.replace("_", "-"), _KEYS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            loader.problem(_toml_key(key), f"unknown key (known keys: {', '.join(_KEYS)}){hint}")
    return dataclasses.replace(defaults, **values)


# Editor settings use the same keys as [tool.streamlit-lsp]; clients often spell them in
# camelCase (perFileIgnores), so both spellings are accepted.
EDITOR_ONLY_KEYS = frozenset(
    {"enable", "inlay-hints", "trace", "interpreter", "show-notifications"}
)


def _kebab(key: str) -> str:
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in key).replace("_", "-")


def apply_editor_settings(
    config: Config, settings: Mapping[str, Any] | None, known_codes: Iterable[str] = KNOWN_CODES
) -> tuple[Config, list[ConfigProblem]]:
    """``config`` with the editor's settings laid over it (the editor wins key by key)."""
    if not settings:
        return config, []
    if not isinstance(settings, Mapping):
        return config, [
            ConfigProblem(
                Path("<editor settings>"), f"expected an object, got {_describe(settings)}"
            )
        ]
    section = {
        _kebab(key): value
        for key, value in settings.items()
        if _kebab(key) not in EDITOR_ONLY_KEYS and value is not None
    }
    loader = _Loader(Path("<editor settings>"), frozenset(known_codes))
    return _from_section(section, config, loader), loader.problems
