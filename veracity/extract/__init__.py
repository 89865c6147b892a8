"""Extraction: raw documents (HTML pages, feed entries, records) into ``Article`` values."""
