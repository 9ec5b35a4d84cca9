"""The language server: thin translation between the analysis and the protocol."""
