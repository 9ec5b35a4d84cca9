import streamlit as st

# A page someone is still writing: it does not parse yet.
if st.button("Apply coupon":  # ST000
    st.session_state.discount = 0.1
