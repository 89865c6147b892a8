"""Ingest: read inputs of any supported format, turn each item into an Article, store it."""

from veracity.ingest.pipeline import IngestReport, ingest_paths
from veracity.ingest.read import Failure, RawItem, read_path

__all__ = ["Failure", "IngestReport", "RawItem", "ingest_paths", "read_path"]
