"""streamlit-lsp: static analysis of Streamlit's ``st.session_state`` and widget keys."""

__version__ = "0.1.0"
