"""The VS Code extension's settings (package.json) agree with what the server reads.

The extension sends its analysis settings and switches under their own names
(client/src/settings.ts; its unit tests check the mapping against package.json). Here
each of them, with a typical value, goes through the server's own readers
(``config.apply_editor_settings`` and ``lsp.settings.server_settings``) and must be
taken without a complaint; the settings only the extension reads must be ignored by
the server; and the values package.json allows must be ones the server accepts.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from streamlit_lsp.config import KNOWN_CODES, Config, apply_editor_settings
from streamlit_lsp.diagnostics import Severity
from streamlit_lsp.lsp.settings import SECTION, server_settings

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
PROPERTIES: dict[str, dict] = MANIFEST["contributes"]["configuration"]["properties"]
PREFIX = SECTION + "."

# One typical value per setting the extension sends to the server.
SENT = {
    "enable": False,
    "inlayHints": True,
    "select": ["ST00", "ST010"],
    "ignore": ["ST009"],
    "perFileIgnores": {"views/**": ["ST001"]},
    "exclude": ["legacy/**"],
    "entrypoints": ["app.py"],
    "severity": {"ST002": "error", "ST009": "information"},
}
# Settings only the extension reads.
CLIENT_ONLY = {"interpreter": "/usr/bin/python3", "trace.server": "verbose"}


def declared() -> set[str]:
    assert all(name.startswith(PREFIX) for name in PROPERTIES)
    return {name[len(PREFIX) :] for name in PROPERTIES}


def test_every_setting_is_known_here() -> None:
    assert declared() == set(SENT) | set(CLIENT_ONLY)


def test_the_server_takes_every_sent_setting() -> None:
    config = Config(root=ROOT / "examples" / "bookshop")
    for key, value in SENT.items():
        _, problems = apply_editor_settings(config, {key: value})
        assert problems == [], f"{key}: {[str(problem) for problem in problems]}"
        _, messages = server_settings({key: value})
        assert messages == [], f"{key}: {messages}"
    switches, _ = server_settings(SENT)
    assert switches.enable is False and switches.inlay_hints is True


def test_the_server_ignores_client_only_settings() -> None:
    # What VS Code would answer to workspace/configuration if the mapping were skipped.
    raw = {"interpreter": CLIENT_ONLY["interpreter"], "trace": {"server": "verbose"}}
    config = Config(root=ROOT)
    assert apply_editor_settings(config, raw) == (config, [])
    assert server_settings(raw)[1] == []


def test_allowed_values_are_the_servers() -> None:
    severity = PROPERTIES[PREFIX + "severity"]
    (schema,) = severity["patternProperties"].values()
    assert set(schema["enum"]) == {level.value for level in Severity}
    (code_pattern,) = severity["patternProperties"]
    for code in KNOWN_CODES:
        assert re.fullmatch(code_pattern, code), code
    for key in ("select", "ignore"):
        pattern = PROPERTIES[PREFIX + key]["items"]["pattern"]
        for selector in [*KNOWN_CODES, "ST", "ST00", "ALL", "st001"]:
            assert re.fullmatch(pattern, selector), (key, selector)
        assert not re.fullmatch(pattern, "E501")


def test_interpreter_is_machine_scoped_and_restricted() -> None:
    assert PROPERTIES[PREFIX + "interpreter"]["scope"] == "machine"
    untrusted = MANIFEST["capabilities"]["untrustedWorkspaces"]
    assert untrusted["supported"] == "limited"
    assert untrusted["restrictedConfigurations"] == [PREFIX + "interpreter"]
