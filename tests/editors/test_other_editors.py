"""The README's Helix and Zed configurations: valid, in the documented shape, and
taken by the server.

Neither editor can be installed on this project's machines (not in Debian 12, PyPI or
npm; Zed's extension also needs crates.io to build), so these blocks are not run in
the editors, as the README says. What can be checked here is checked: each block
parses (TOML, JSON), has the keys the editors' documentation gives (Helix's
``[language-server.NAME]`` with ``command``/``args``/``config`` and a ``[[language]]``
list naming it; Zed's ``extension.toml`` with ``[language_servers.NAME]`` and
``languages``, its ``lsp.NAME.binary.path``/``settings``), the command is the one the
other editors' tested blocks use, and the settings go through the server's own readers
without a complaint, as Helix and Zed would hand them over.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from streamlit_lsp.config import Config, apply_editor_settings
from streamlit_lsp.lsp.settings import SECTION, section_of, server_settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SERVER = "/path/to/.venv/bin/streamlit-lsp"


def section(title: str) -> str:
    start = README.index(f"\n### {title}\n")
    end = re.compile(r"^##+ ", re.M).search(README, start + 5)
    return README[start : end.start() if end else len(README)]


def blocks(title: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", section(title), re.S)


def assert_server_takes(settings: object) -> None:
    """The settings as the server gets them (initializationOptions, or the answer to
    workspace/configuration for section streamlitLsp) are read without a complaint."""
    raw = section_of(settings)
    assert raw is not None and "ignore" in raw, settings
    config, problems = apply_editor_settings(Config(root=ROOT / "examples" / "bookshop"), raw)
    assert problems == []
    assert config.ignore == ("ST009",), config
    switches, messages = server_settings(raw)
    assert messages == []
    assert switches.enable is True


def test_helix_languages_toml() -> None:
    (block,) = blocks("Helix", "toml")
    data = tomllib.loads(block)
    server = data["language-server"]["streamlit-lsp"]
    assert server["command"] == SERVER
    assert server["args"] == ["serve"]
    assert set(server) <= {
        "command",
        "args",
        "config",
        "environment",
        "timeout",
        "required-root-patterns",
    }
    (language,) = data["language"]
    assert language["name"] == "python"
    assert "streamlit-lsp" in language["language-servers"]
    # Helix sends `config` as initializationOptions and answers workspace/configuration
    # for a section by walking `config` with its dotted parts.
    assert_server_takes(server["config"])
    assert_server_takes(server["config"][SECTION])


def test_zed_extension_and_settings() -> None:
    (manifest_block,) = blocks("Zed", "toml")
    manifest = tomllib.loads(manifest_block)
    for key in ("id", "name", "version", "schema_version", "authors", "description"):
        assert key in manifest, key
    assert manifest["schema_version"] == 1
    server = manifest["language_servers"]["streamlit-lsp"]
    assert server["languages"] == ["Python"]

    (rust,) = blocks("Zed", "rust")
    # The Rust code reads the settings of the server declared above, and starts it.
    assert rust.count('LspSettings::for_worktree("streamlit-lsp", worktree)') == 2
    assert 'worktree.which("streamlit-lsp")' in rust
    assert 'args: vec!["serve".into()]' in rust
    assert "zed::register_extension!(StreamlitLsp);" in rust
    assert re.search(r'zed_extension_api = "0\.\d+"', section("Zed"))

    (settings_block,) = blocks("Zed", "json")
    settings = json.loads(settings_block)
    lsp = settings["lsp"]["streamlit-lsp"]
    assert lsp["binary"]["path"] == SERVER
    assert settings["languages"]["Python"]["language_servers"] == ["...", "streamlit-lsp"]
    # The extension answers workspace/configuration with lsp.streamlit-lsp.settings.
    assert_server_takes(lsp["settings"])


@pytest.mark.parametrize("title", ["Helix", "Zed"])
def test_readme_says_untested_and_why(title: str) -> None:
    text = " ".join(section(title).split())
    assert "Not run in a real" in text
    assert "Debian 12" in text and "PyPI" in text and "npm" in text
