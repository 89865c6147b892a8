"""The crawler: polls sources' feeds and sitemaps, fetches new articles, re-fetches recent ones.

``veracity.crawl.run.run_once`` makes one pass; ``run_forever`` loops on the schedule.
"""
