"""Source -> facts -> index -> answers: the analysis engine, free of any LSP types."""
