"""Bi-encoder and cross-encoder models: their settings, windows, batching, losses and inference backends."""
