"""Facts are records: immutable by contract, hashable and comparable by value."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from streamlit_lsp.analysis.extract import extract
from streamlit_lsp.analysis.facts import LiteralKey
from streamlit_lsp.diagnostics import Span


def test_records_compare_and_hash_by_value() -> None:
    assert Span(1, 0, 1, 4) == Span(1, 0, 1, 4)
    assert len({Span(1, 0, 1, 4), Span(1, 0, 1, 4), Span(2, 0, 2, 1)}) == 2
    assert sorted([Span(2, 0, 2, 1), Span(1, 5, 1, 6)])[0] == Span(1, 5, 1, 6)
    assert dataclasses.replace(LiteralKey("a"), value="b") == LiteralKey("b")


def test_facts_refuse_changes_in_the_tests() -> None:
    facts = extract("import streamlit as st\nst.session_state['count'] = 1\n")
    with pytest.raises(dataclasses.FrozenInstanceError):
        facts.accesses[0].span.line = 3  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        facts.accesses = ()  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del facts.accesses[0].key  # type: ignore[misc]


def test_records_survive_pickling() -> None:
    facts = extract("import streamlit as st\nst.text_input('Name', key='name')\n")
    assert pickle.loads(pickle.dumps(facts, pickle.HIGHEST_PROTOCOL)) == facts
