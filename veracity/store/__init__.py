"""Storage behind a small interface: SQLite (default) or PostgreSQL through SQLAlchemy."""

from veracity.store.base import Outcome, Store, StoredArticle, VersionRecord
from veracity.store.sql import SqlStore, open_store

__all__ = ["Outcome", "SqlStore", "Store", "StoredArticle", "VersionRecord", "open_store"]
