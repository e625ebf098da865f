"""First-stage retrieval: exact dense search, BM25 (bm25s) and the fusion of two ranked lists."""
