"""ST002 read-before-init: the key is initialised somewhere, but this read runs first."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from streamlit_lsp.analysis.facts import AccessKind
from streamlit_lsp.analysis.model import Model
from streamlit_lsp.diagnostics import Diagnostic, Related, Severity
from streamlit_lsp.rules.base import Rule
from streamlit_lsp.rules.common import diagnostic, missing_key_error, related, state_expr, unique
from streamlit_lsp.rules.st008_widget_state_across_pages import cross_page_reads

CODE = "ST002"


def check(model: Model) -> Iterator[Diagnostic]:
    yield from unique(_check(model))


def _check(model: Model) -> Iterator[Diagnostic]:
    for app in model.apps:
        table = model.keys(app)
        analysis = model.analysis(app)
        cross_page = {
            (item.read.path, item.read.access.span, item.read.key)
            for item in cross_page_reads(model, app)
        }
        for read in analysis.first_run.reads:
            access = read.access
            if (
                not access.kind.raises_when_missing
                or read.guarded
                or not read.definite
                or not read.missing
            ):
                continue
            if not table.initialises(read.key):
                continue  # ST001's case
            if (read.path, access.span, read.key) in cross_page:
                continue
            places = _init_sites(model, app, read.key)
            first = places[0] if places else None
            where = f" (initialised at {first.path.name}:{first.span.line})" if first else ""
            run = read.context.run
            opened = (
                f" when {run.label} is opened first"
                if run is not None and len(app.runs) > 1
                else " on the first run"
            )
            yield diagnostic(
                CODE,
                RULE.severity,
                read.path,
                access.span,
                f"{state_expr(read.key, access)} is read before it is initialised{opened}{where}: "
                f"Streamlit raises {missing_key_error(access)}",
                read.key,
                places,
            )


def _init_sites(model: Model, app: object, key: str) -> list[Related]:
    table = model.keys(app)  # type: ignore[arg-type]
    places: list[tuple[int, Path, Related]] = []
    for entry in table.accesses:
        if (
            entry.access.kind in (AccessKind.WRITE, AccessKind.SETDEFAULT)
            and key in entry.keys.names
        ):
            places.append(
                (
                    app.rank(entry.path),
                    entry.path,
                    related(entry.path, entry.access.span, "initialised here"),
                )
            )  # type: ignore[attr-defined]
    for widget in table.widgets:
        if widget.widget.stores_value and key in widget.keys.names:
            places.append(
                (
                    app.rank(widget.path),
                    widget.path,
                    related(
                        widget.path,
                        widget.widget.span,
                        f"the {widget.widget.command} creates it here",
                    ),
                )
            )  # type: ignore[attr-defined]
    places.sort(key=lambda item: (item[0], str(item[1]), item[2].span))
    return [place for _, _, place in places]


RULE = Rule(
    code=CODE,
    name="read-before-init",
    severity=Severity.WARNING,
    summary="The key is initialised somewhere, but this read runs first on some run's path.",
    what_it_does="""
Simulates a fresh session's first run in statement order (following calls into helper
functions, inlining fragments, skipping callbacks, which only run on later reruns, and
branches that are false on a first run such as `if st.button(...)`), and reports reads
that certainly run before any initialisation of their key. For a `pages/` app every
page is simulated as the first page opened (users can open any page by URL); with
`st.navigation`, the entry script runs before each page. Top-level code of an imported
module runs once per server process, so an initialisation there does not count.
Reads inside branches the analysis cannot decide are not reported.
""",
    why_it_matters="""
The read raises `KeyError`/`AttributeError` on the first run of every new session,
even though the key is initialised a few lines later, in a callback or on another page.
""",
    example="""
import streamlit as st

st.write(f"Last tip: {st.session_state.last_tip}")   # ST002
st.session_state.setdefault("last_tip", 0.0)
""",
    fix="""
Move the initialisation above the first read (the top of the entry script or of every
page that reads the key), or read with `st.session_state.get("last_tip", 0.0)`.
""",
    check=check,
)
