"""Fact-checks: the ClaimReview knowledge base (import, rating scale, store) and claim matching.

``importer`` reads ClaimReview into ``store``; ``rating`` normalises verdicts to one scale;
``retrieval`` and ``match`` find the fact-checks of an article's claims (docs/factchecks.md).
"""
