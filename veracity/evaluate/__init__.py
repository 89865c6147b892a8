"""Evaluation metrics for extraction components (article bodies, publication dates)."""
