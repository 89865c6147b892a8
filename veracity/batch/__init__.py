"""Batches over web archives and JSON Lines dumps, in-process or on a Ray cluster.

``veracity batch`` reads its inputs into chunks of raw items, extracts each chunk, stores
the articles (idempotent upserts, in input order per article) and then feeds the ids that
were stored new or changed, chunk by chunk in input order, to the after-ingest stages of
:mod:`veracity.enrich`. The local engine (:mod:`veracity.batch.local`) runs these stage
functions in this process; the Ray engine (:mod:`veracity.batch.ray_engine`, needs the
``ray`` extra) runs extraction and storing as Ray tasks and the enrich stages in one actor.
Both give the same database.
"""
