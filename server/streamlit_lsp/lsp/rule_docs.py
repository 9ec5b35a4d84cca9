"""Rule documentation as files an editor can open from a diagnostic's code link.

``Diagnostic.codeDescription`` must be a URI. The server works offline and the docs
belong to the installed version, so each rule's documentation is written once as
Markdown into the user cache directory and linked with a ``file:`` URI.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

import platformdirs
from pygls.uris import from_fs_path

from streamlit_lsp import __version__
from streamlit_lsp.rules import RULES

logger = logging.getLogger(__name__)


def docs_folder() -> Path:
    return Path(platformdirs.user_cache_dir("streamlit-lsp")) / __version__ / "rules"


@cache
def rule_doc_uri(code: str) -> str | None:
    """A ``file:`` URI of the rule's Markdown documentation, or None if it cannot be written."""
    rule = RULES.get(code)
    if rule is None:
        return None
    target = docs_folder() / f"{code}.md"
    try:
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_suffix(".tmp")
            temporary.write_text(rule.documentation(), encoding="utf-8")
            temporary.replace(target)
    except OSError as error:
        logger.info("cannot write rule documentation to %s: %s", target, error)
        return None
    return from_fs_path(str(target))
