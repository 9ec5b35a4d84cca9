"""Bookshop: a small multipage Streamlit app with one of each session-state mistake.

Run `streamlit-lsp check examples/` to see them all; each line marked "STxxx" below
is what the checker reports there.
"""

import streamlit as st

from state import init_state

init_state()

st.sidebar.selectbox("Currency", ["EUR", "USD"], key="currency")

pages = st.navigation(
    [
        st.Page("views/catalog.py", title="📚 Catalogue", default=True),
        st.Page("views/checkout.py", title="🛒 Checkout"),
    ]
)
pages.run()
