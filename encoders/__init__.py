"""Bi-encoder and cross-encoder models, their batching and their losses."""
