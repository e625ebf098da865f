"""First-stage retrieval: exact dense search (and, later, BM25 and fusion)."""
