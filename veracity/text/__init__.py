"""Text utilities shared by every stage: whitespace, URLs, cleaning of scraped bodies."""
