"""Loading labelled fixture apps (``expected.json``) and comparing the engine with them.

The shared fixtures live beside the repository (``../shared/fixtures``), as in CI; our
own live in ``tests/fixtures``. Both use the conventions of RULES.md section 5.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OWN_FIXTURES = REPO / "tests" / "fixtures"


def shared_fixtures() -> Path:
    configured = os.environ.get("STREAMLIT_LSP_FIXTURES")
    return Path(configured) if configured else REPO.parent / "shared" / "fixtures"


@dataclass(frozen=True)
class Case:
    name: str
    root: Path
    entry: Path
    labels: frozenset[tuple[str, str, int, str]]  # (code, path relative to root, line, key)

    @property
    def target(self) -> Path:
        """What ``check`` is run on: the folder of a multi-file case, else the file."""
        relative = self.entry.relative_to(self.root / "cases")
        return self.root / "cases" / relative.parts[0] if len(relative.parts) > 1 else self.entry


def load_cases(root: Path) -> list[Case]:
    expected = root / "expected.json"
    if not expected.is_file():
        return []
    data = json.loads(expected.read_text(encoding="utf-8"))
    cases = []
    for name, case in sorted(data.items()):
        labels = frozenset(
            (item["code"], item["path"], int(item["line"]), str(item["key"]))
            for item in case["diagnostics"]
        )
        cases.append(Case(name, root, root / case["entry"], labels))
    return cases


def engine_labels(case: Case) -> frozenset[tuple[str, str, int, str]]:
    from streamlit_lsp.checker import check_paths

    result = check_paths([case.target])
    return frozenset(
        (item.code, item.path.relative_to(case.root).as_posix(), item.span.line, str(item.key))
        for item in result.diagnostics
    )
