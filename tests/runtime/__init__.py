"""Runtime side of the test suite: run labelled apps under Streamlit's own AppTest.

The static checker is judged against what Streamlit really does, so these helpers
execute each fixture app with ``streamlit.testing.v1.AppTest`` and report the
session-state errors (and the ST004 log warning) it raises, with file and line.
"""
