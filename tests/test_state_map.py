"""``streamlit-lsp map``: the session-state map of the bundled example, in three formats."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit_lsp.cli import main

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "bookshop"


def test_map_json_groups_keys_by_page(capsys):
    assert main(["map", str(EXAMPLE), "--format", "json"]) == 0
    entries = {entry["key"]: entry for entry in json.loads(capsys.readouterr().out)}
    assert entries["book"]["widget"] == "selectbox"
    assert entries["book"]["pages"]["catalog.py"] == {"widget": ["views/catalog.py:20"]}
    assert entries["book"]["pages"]["checkout.py"] == {"read": ["views/checkout.py:6"]}
    # The callback's read of the cart shows on the page whose button registers it.
    assert "views/catalog.py:10" in entries["cart"]["pages"]["catalog.py"]["read"]


def test_map_table_and_mermaid(capsys):
    assert main(["map", str(EXAMPLE)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["key", "page", "widget", "initialised", "written", "read"]
    assert any(line.startswith("last_order") and "checkout.py" in line for line in table)
    assert main(["map", str(EXAMPLE), "--format", "mermaid"]) == 0
    mermaid = capsys.readouterr().out
    assert mermaid.startswith("flowchart LR")
    assert '(("book"))' in mermaid
