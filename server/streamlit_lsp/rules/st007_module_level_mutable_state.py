"""ST007 module-level-mutable-state: mutable state in an imported module is shared by every user."""

from __future__ import annotations

from collections.abc import Iterator

from streamlit_lsp.analysis.model import Model
from streamlit_lsp.diagnostics import Diagnostic, Severity
from streamlit_lsp.rules.base import Rule
from streamlit_lsp.rules.common import diagnostic, unique

CODE = "ST007"


def check(model: Model) -> Iterator[Diagnostic]:
    yield from unique(_check(model))


def _check(model: Model) -> Iterator[Diagnostic]:
    for app in model.apps:
        for path in sorted(app.files - app.scripts):
            facts = model.program.facts(path)
            if facts is None:
                continue
            for mutation in facts.mutations:
                yield diagnostic(
                    CODE,
                    RULE.severity,
                    path,
                    mutation.span,
                    f"{mutation.name} is module-level state of {path.name}, an imported module: this "
                    "change is shared by every user session of the server",
                    mutation.name,
                )


RULE = Rule(
    code=CODE,
    name="module-level-mutable-state",
    severity=Severity.WARNING,
    summary="Module-level mutable state in an imported module is shared by every user.",
    what_it_does="""
In modules the app imports (not the entry script or pages, which run in a fresh module
every rerun), finds statements inside functions that mutate a module-level list, dict,
set or other container, or a mutable class attribute (`append`, item assignment,
`update`, `del x[...]`, `global X; X += ...`). Module-level constants that are never
mutated, local copies, and `@st.cache_resource` results are not reported.
""",
    why_it_matters="""
An imported module is created once per Python process and cached in `sys.modules`:
its containers are shared by all sessions. One user's data leaks into every other
user's page, and concurrent sessions race on it.
""",
    example="""
# history.py
SEARCHES: list[str] = []

def record(query: str) -> None:
    SEARCHES.append(query)   # ST007: every user sees every search
""",
    fix="""
Keep per-user data in `st.session_state` (e.g. `st.session_state.setdefault("searches",
[]).append(query)`); for data meant to be shared, use `@st.cache_resource` and make the
sharing explicit.
""",
    check=check,
)
