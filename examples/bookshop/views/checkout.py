import streamlit as st

from keys import CART

st.title("🛒 Checkout")
st.write(f"Book on the catalogue page: {st.session_state.get('book')}")  # ST008

total = len(st.session_state[CART]) * (1 - st.session_state.discount)
st.write(f"{total} items after discount, paid in {st.session_state.currency}")

st.write(f"Last order: {st.session_state.last_order}")  # ST002: set only after paying

if st.button("Pay", key="pay"):
    st.session_state.last_order = list(st.session_state[CART])
    st.session_state.pay = False  # ST005: a button's key is read-only
