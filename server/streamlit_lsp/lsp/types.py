"""The type of a key's initial value when it is not a literal, inferred by jedi.

Only on demand (hover), in a worker thread with a time limit: the first inference that
touches a large library (pandas) can take seconds, and hover must stay responsive. jedi
reads code; it never executes the workspace's modules.
"""

from __future__ import annotations

import logging
from pathlib import Path

logger = logging.getLogger(__name__)

PROBE = "__streamlit_lsp_value__"


def infer_type(path: Path, text: str, expression: str, root: Path | None) -> str | None:
    """The inferred type name of ``expression`` evaluated at the end of ``text``."""
    if "\n" in expression or len(expression) > 500:
        return None
    try:
        import jedi

        project = jedi.Project(str(root or path.parent), load_unsafe_extensions=False)
        source = f"{text}\n{PROBE} = {expression}\n"
        line = source.count("\n")
        script = jedi.Script(source, path=str(path), project=project)
        names = script.infer(line, 1)
    except Exception:  # jedi on arbitrary code: a failure means "unknown", nothing more
        logger.debug("type inference failed for %s", expression, exc_info=True)
        return None
    kinds = sorted({name.name for name in names if name.name})
    return " | ".join(kinds[:3]) if kinds else None
