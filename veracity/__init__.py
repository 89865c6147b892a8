"""veracity: a news-verification desk.

Articles flow through plain stage functions (read -> extract -> clean -> store); every
stage takes and returns :class:`veracity.article.Article` values so the same stages run
in-process or mapped by a distributed engine.
"""

from veracity.article import Article, Block, Outlet

__all__ = ["Article", "Block", "Outlet", "__version__"]
__version__ = "0.1.0"
