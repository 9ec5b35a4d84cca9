"""``python -m streamlit_lsp``: the same as the ``streamlit-lsp`` command."""

import sys

from streamlit_lsp.cli import main

sys.exit(main())
