"""Sources: outlets and their feeds; discovery, OPML, sitemaps, feeds and the default list.

Every XML document that is not an RSS/Atom feed (sitemaps, OPML) is parsed with defusedxml
(no DTD entities, no external entities); feeds are screened by the same parser before
feedparser reads them, so billion-laughs and XXE documents are refused, not expanded.
"""
