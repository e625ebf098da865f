"""First-stage retrieval behind one index protocol: exact dense search, BM25 (bm25s), fusion, ranking helpers."""
