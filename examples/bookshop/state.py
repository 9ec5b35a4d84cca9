"""Initialisation every run calls, and a module-level cache that should not be one."""

import streamlit as st

from keys import CART

RECENTLY_VIEWED: list[str] = []


def init_state() -> None:
    st.session_state.setdefault(CART, [])
    st.session_state.setdefault("discount", 0.0)
    st.session_state.setdefault("theme", "light")  # ST009: nothing reads "theme"


def remember(title: str) -> None:
    RECENTLY_VIEWED.append(title)  # ST007: shared by every user of the server
