"""The ``check`` output formats, held to ``shared/spec/cli.md`` and to their consumers.

Outside tools parse every one of these, so the tests compare whole outputs rather than
fragments: a stray summary line in JSON, a 0-based column or an unescaped comma in a
GitHub annotation would each break a consumer while "looking right" to a person.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

import streamlit_lsp
from streamlit_lsp.diagnostics import Diagnostic, Related, Severity, Span
from streamlit_lsp.output import FORMATS, display_path, render, summary_line
from streamlit_lsp.rules.base import Rule


def make_rule(code: str, name: str, severity: Severity) -> Rule:
    """A small rule with real-looking documentation and a check that finds nothing."""
    return Rule(
        code=code,
        name=name,
        severity=severity,
        summary=f"{name} summary.",
        what_it_does=f"Finds {name}.",
        why_it_matters="Streamlit raises.",
        example="st.session_state.x",
        fix="Initialize the key.",
        check=lambda program: [],
    )


RULES: dict[str, Rule] = {
    "ST003": make_rule("ST003", "assign-after-widget", Severity.ERROR),
    "ST002": make_rule("ST002", "read-before-init", Severity.WARNING),
    "ST009": make_rule("ST009", "unused-key", Severity.HINT),
    "ST007": make_rule("ST007", "module-level-mutable-state", Severity.WARNING),
}

CONTRACT_MESSAGE = (
    "st.session_state['volume'] is assigned after the slider with key 'volume' was created "
    "(line 8): Streamlit raises StreamlitAPIException"
)


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    return tmp_path / "project"


@pytest.fixture
def diagnostics(cwd: Path) -> list[Diagnostic]:
    """Deliberately out of order, with one file outside ``cwd``."""
    mixer = cwd / "pages" / "2_mixer.py"
    return [
        Diagnostic(
            code="ST003",
            message=CONTRACT_MESSAGE,
            path=mixer,
            span=Span(12, 0, 12, 31),
            severity=Severity.ERROR,
            key="volume",
            related=(Related(mixer, Span(8, 0, 8, 40), "widget created here"),),
        ),
        Diagnostic(
            code="ST002",
            message="st.session_state['count'] may be read before it is set",
            path=cwd / "app.py",
            span=Span(3, 4, 3, 20),
            severity=Severity.WARNING,
            key="count",
        ),
        Diagnostic(
            code="ST009",
            message="'unused' is initialized but never read",
            path=cwd / "app.py",
            span=Span(1, 0, 1, 10),
            severity=Severity.HINT,
            key="unused",
            unnecessary=True,
        ),
        Diagnostic(
            code="ST007",
            message="module-level list mutated: shared by every user",
            path=Path("/elsewhere/lib.py"),
            span=Span(5, 0, 5, 12),
            severity=Severity.WARNING,
        ),
    ]


def run(
    diagnostics: Sequence[Diagnostic],
    fmt: str,
    cwd: Path,
    rules: Mapping[str, Rule] = RULES,
    files_checked: int = 5,
) -> str:
    out = io.StringIO()
    render(diagnostics, fmt, cwd=cwd, rules=rules, out=out, files_checked=files_checked)
    return out.getvalue()


def test_formats() -> None:
    assert FORMATS == ("text", "json", "github", "sarif")


def test_unknown_format_is_refused(cwd: Path) -> None:
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        run([], "xml", cwd)


# --- paths ----------------------------------------------------------------------------


def test_display_path(cwd: Path) -> None:
    assert display_path(cwd / "pages" / "a.py", cwd) == "pages/a.py"
    assert display_path(cwd / "pages" / ".." / "a.py", cwd) == "a.py"
    assert display_path(Path("/elsewhere/a.py"), cwd) == "/elsewhere/a.py"
    assert display_path(Path("pages/a.py"), cwd) == "pages/a.py"
    assert display_path(cwd, cwd) == "."


def test_display_path_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    assert display_path(real / "app.py", link) == "app.py"


# --- text -----------------------------------------------------------------------------


def test_text(diagnostics: list[Diagnostic], cwd: Path) -> None:
    assert run(diagnostics, "text", cwd).splitlines() == [
        "/elsewhere/lib.py:5:1: ST007 module-level list mutated: shared by every user",
        "app.py:1:1: ST009 'unused' is initialized but never read",
        "app.py:3:5: ST002 st.session_state['count'] may be read before it is set",
        f"pages/2_mixer.py:12:1: ST003 {CONTRACT_MESSAGE}",
        "  pages/2_mixer.py:8:1: note: widget created here",
        "Found 4 diagnostics (1 error, 2 warnings, 1 hint) in 5 files.",
    ]


def test_text_without_diagnostics(cwd: Path) -> None:
    assert run([], "text", cwd, files_checked=3) == "All checks passed (3 files).\n"


def test_text_keeps_one_line_per_diagnostic(cwd: Path) -> None:
    diagnostic = Diagnostic(
        "ST001", "first\nsecond", cwd / "a.py", Span(2, 3, 2, 4), Severity.ERROR
    )
    assert run([diagnostic], "text", cwd, files_checked=1).splitlines() == [
        "a.py:2:4: ST001 first second",
        "Found 1 diagnostic (1 error) in 1 file.",
    ]


@pytest.mark.parametrize(
    ("severities", "files", "expected"),
    [
        ((), 5, "All checks passed (5 files)."),
        ((), 1, "All checks passed (1 file)."),
        ((), 0, "All checks passed (0 files)."),
        (
            (Severity.ERROR, Severity.ERROR, Severity.WARNING),
            5,
            "Found 3 diagnostics (2 errors, 1 warning) in 5 files.",
        ),
        ((Severity.HINT,), 1, "Found 1 diagnostic (1 hint) in 1 file."),
        (
            (Severity.INFORMATION, Severity.INFORMATION, Severity.HINT, Severity.HINT),
            2,
            "Found 4 diagnostics (2 information, 2 hints) in 2 files.",
        ),
        (
            (Severity.HINT, Severity.INFORMATION, Severity.WARNING, Severity.ERROR),
            4,
            "Found 4 diagnostics (1 error, 1 warning, 1 information, 1 hint) in 4 files.",
        ),
    ],
)
def test_summary_line(severities: tuple[Severity, ...], files: int, expected: str) -> None:
    diagnostics = [
        Diagnostic("ST001", "m", Path("/p/a.py"), Span(1, 0, 1, 1), severity)
        for severity in severities
    ]
    assert summary_line(diagnostics, files) == expected


# --- json -----------------------------------------------------------------------------


def test_json_matches_the_contract_example(diagnostics: list[Diagnostic], cwd: Path) -> None:
    items = json.loads(run(diagnostics, "json", cwd))
    assert items[-1] == {
        "code": "ST003",
        "severity": "error",
        "message": CONTRACT_MESSAGE,
        "key": "volume",
        "path": "pages/2_mixer.py",
        "line": 12,
        "column": 1,
        "end_line": 12,
        "end_column": 32,
        "related": [
            {"path": "pages/2_mixer.py", "line": 8, "column": 1, "message": "widget created here"}
        ],
    }


def test_json_whole_array(diagnostics: list[Diagnostic], cwd: Path) -> None:
    text = run(diagnostics, "json", cwd)
    items = json.loads(text)  # nothing but the array on stdout
    assert [(item["path"], item["line"], item["column"]) for item in items] == [
        ("/elsewhere/lib.py", 5, 1),
        ("app.py", 1, 1),
        ("app.py", 3, 5),
        ("pages/2_mixer.py", 12, 1),
    ]
    assert items[0]["key"] is None
    assert items[2] == {
        "code": "ST002",
        "severity": "warning",
        "message": "st.session_state['count'] may be read before it is set",
        "key": "count",
        "path": "app.py",
        "line": 3,
        "column": 5,
        "end_line": 3,
        "end_column": 21,
        "related": [],
    }
    assert items[1]["severity"] == "hint"
    for item in items:
        assert list(item) == [
            "code",
            "severity",
            "message",
            "key",
            "path",
            "line",
            "column",
            "end_line",
            "end_column",
            "related",
        ]


def test_json_empty(cwd: Path) -> None:
    assert json.loads(run([], "json", cwd)) == []


def test_json_columns_are_code_points_and_text_survives(cwd: Path) -> None:
    # "é" and "🎈" are one code point each: the span already counts them so; +1 only.
    diagnostic = Diagnostic(
        "ST001", "clé 🎈 absente", cwd / "é.py", Span(1, 7, 1, 9), Severity.INFORMATION, key="clé"
    )
    (item,) = json.loads(run([diagnostic], "json", cwd))
    assert (item["path"], item["column"], item["end_column"]) == ("é.py", 8, 10)
    assert (item["message"], item["key"], item["severity"]) == (
        "clé 🎈 absente",
        "clé",
        "information",
    )


# --- github ---------------------------------------------------------------------------


def test_github(diagnostics: list[Diagnostic], cwd: Path) -> None:
    assert run(diagnostics, "github", cwd).splitlines() == [
        "::warning file=/elsewhere/lib.py,line=5,col=1,endLine=5,endColumn=13,title=ST007"
        "::module-level list mutated: shared by every user",  # ":" is escaped in properties only
        "::notice file=app.py,line=1,col=1,endLine=1,endColumn=11,title=ST009"
        "::'unused' is initialized but never read",
        "::warning file=app.py,line=3,col=5,endLine=3,endColumn=21,title=ST002"
        "::st.session_state['count'] may be read before it is set",
        "::error file=pages/2_mixer.py,line=12,col=1,endLine=12,endColumn=32,title=ST003"
        f"::{CONTRACT_MESSAGE}%0Apages/2_mixer.py:8:1: widget created here",
    ]


def test_github_escaping(cwd: Path) -> None:
    diagnostic = Diagnostic(
        "ST001",
        "100% sure,\r\nreally: yes",
        cwd / "odd,name:1.py",
        Span(1, 0, 1, 1),
        Severity.INFORMATION,
    )
    assert run([diagnostic], "github", cwd) == (
        "::notice file=odd%2Cname%3A1.py,line=1,col=1,endLine=1,endColumn=2,title=ST001"
        "::100%25 sure,%0D%0Areally: yes\n"
    )


def test_github_empty(cwd: Path) -> None:
    assert run([], "github", cwd) == ""


# --- sarif ----------------------------------------------------------------------------

SARIF_LEVELS = {"none", "note", "warning", "error"}


def check_region(region: Mapping[str, Any]) -> None:
    for name in ("startLine", "startColumn", "endLine", "endColumn"):
        assert isinstance(region[name], int) and region[name] >= 1, name
    assert (region["endLine"], region["endColumn"]) >= (region["startLine"], region["startColumn"])


def check_location(location: Mapping[str, Any], base_ids: Mapping[str, Any]) -> None:
    physical = location["physicalLocation"]
    artifact = physical["artifactLocation"]
    assert isinstance(artifact["uri"], str) and artifact["uri"]
    if "uriBaseId" in artifact:
        assert artifact["uriBaseId"] in base_ids
        assert not artifact["uri"].startswith("/")
    else:
        assert artifact["uri"].startswith("file:///")
    check_region(physical["region"])


def check_sarif_shape(document: Mapping[str, Any]) -> None:
    """The SARIF 2.1.0 structure consumers (GitHub code scanning) rely on."""
    assert document["version"] == "2.1.0"
    assert document["$schema"].startswith("https://") and "sarif" in document["$schema"]
    assert isinstance(document["runs"], list) and len(document["runs"]) == 1
    (run_,) = document["runs"]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "streamlit-lsp"
    assert driver["version"] == streamlit_lsp.__version__
    assert run_["columnKind"] == "unicodeCodePoints"
    base_ids = run_["originalUriBaseIds"]
    assert base_ids["%SRCROOT%"]["uri"].startswith("file:///")
    assert base_ids["%SRCROOT%"]["uri"].endswith("/")
    ids = [rule["id"] for rule in driver["rules"]]
    assert len(ids) == len(set(ids))
    for rule in driver["rules"]:
        assert isinstance(rule["shortDescription"]["text"], str)
        if "defaultConfiguration" in rule:
            assert rule["defaultConfiguration"]["level"] in SARIF_LEVELS
    for result in run_["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in SARIF_LEVELS
        assert isinstance(result["message"]["text"], str) and result["message"]["text"]
        assert len(result["locations"]) == 1
        check_location(result["locations"][0], base_ids)
        related = result.get("relatedLocations", [])
        assert len({location["id"] for location in related}) == len(related)
        for location in related:
            check_location(location, base_ids)
            assert isinstance(location["message"]["text"], str)


def sarif(diagnostics: Sequence[Diagnostic], cwd: Path, rules: Mapping[str, Rule] = RULES) -> Any:
    document = json.loads(run(diagnostics, "sarif", cwd, rules))
    check_sarif_shape(document)
    return document


def test_sarif_rules(diagnostics: list[Diagnostic], cwd: Path) -> None:
    driver = sarif(diagnostics, cwd)["runs"][0]["tool"]["driver"]
    assert [rule["id"] for rule in driver["rules"]] == ["ST002", "ST003", "ST007", "ST009"]
    st009 = driver["rules"][3]
    assert st009 == {
        "id": "ST009",
        "name": "unused-key",
        "shortDescription": {"text": "unused-key summary."},
        "fullDescription": {"text": "Finds unused-key."},
        "help": {
            "text": RULES["ST009"].documentation(),
            "markdown": RULES["ST009"].documentation(),
        },
        "defaultConfiguration": {"level": "note"},
    }
    assert driver["rules"][1]["defaultConfiguration"] == {"level": "error"}
    assert driver["rules"][0]["defaultConfiguration"] == {"level": "warning"}


def test_sarif_results(diagnostics: list[Diagnostic], cwd: Path) -> None:
    results = sarif(diagnostics, cwd)["runs"][0]["results"]
    assert [(result["ruleId"], result["level"]) for result in results] == [
        ("ST007", "warning"),
        ("ST009", "note"),
        ("ST002", "warning"),
        ("ST003", "error"),
    ]
    assert results[3] == {
        "ruleId": "ST003",
        "ruleIndex": 1,
        "level": "error",
        "message": {"text": CONTRACT_MESSAGE},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "pages/2_mixer.py", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 12, "startColumn": 1, "endLine": 12, "endColumn": 32},
                }
            }
        ],
        "relatedLocations": [
            {
                "id": 0,
                "physicalLocation": {
                    "artifactLocation": {"uri": "pages/2_mixer.py", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 8, "startColumn": 1, "endLine": 8, "endColumn": 41},
                },
                "message": {"text": "widget created here"},
            }
        ],
        "properties": {"key": "volume"},
    }
    # Outside the source root: an absolute file URI, no base id.
    assert results[0]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "file:///elsewhere/lib.py"
    }
    assert "properties" not in results[0]
    assert "relatedLocations" not in results[0]


def test_sarif_root_and_uri_escaping(cwd: Path) -> None:
    diagnostic = Diagnostic(
        "ST002", "m", cwd / "my app" / "100%.py", Span(2, 0, 2, 0), Severity.WARNING
    )
    run_ = sarif([diagnostic], cwd)["runs"][0]
    assert run_["originalUriBaseIds"] == {"%SRCROOT%": {"uri": cwd.as_uri() + "/"}}
    location = run_["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "my%20app/100%25.py"
    # An empty span is an insertion point: start and end columns agree.
    assert location["region"] == {"startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 1}


def test_sarif_code_without_rule_metadata_still_has_a_valid_index(cwd: Path) -> None:
    diagnostics = [
        Diagnostic("ST000", "invalid syntax", cwd / "a.py", Span(1, 0, 1, 1), Severity.ERROR),
        Diagnostic("ST000", "invalid syntax", cwd / "b.py", Span(1, 0, 1, 1), Severity.ERROR),
    ]
    document = sarif(diagnostics, cwd, rules={})
    driver = document["runs"][0]["tool"]["driver"]
    assert driver["rules"] == [{"id": "ST000", "shortDescription": {"text": "ST000"}}]
    assert [result["ruleIndex"] for result in document["runs"][0]["results"]] == [0, 0]


def test_sarif_empty_run_lists_the_rules(cwd: Path) -> None:
    run_ = sarif([], cwd)["runs"][0]
    assert run_["results"] == []
    assert len(run_["tool"]["driver"]["rules"]) == len(RULES)
