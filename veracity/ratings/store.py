"""Rating sets in the database: import (replacing a set of the same name), list, and look up by domain.

Migration ``0006`` creates the tables. Each set keeps every outlet's original value beside
the normalised reliability, so disagreements between sets stay visible.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
)

from veracity.ratings.formats import Rating, outlet_domain

metadata = MetaData()

rating_sets = Table(
    "rating_sets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False, unique=True),
    Column("format", String(16), nullable=False),
    Column("source", Text, nullable=False),
    Column("imported_at", DateTime, nullable=False),
    Column("entries", Integer, nullable=False),
)

outlet_ratings = Table(
    "outlet_ratings",
    metadata,
    Column("set_id", Integer, ForeignKey("rating_sets.id", ondelete="CASCADE"), primary_key=True),
    Column("domain", Text, primary_key=True),
    Column("value", Text, nullable=False),
    Column("reliability", Float),
    Column("satire", Boolean, nullable=False),
)


@dataclass(frozen=True, slots=True)
class RatingSet:
    name: str
    format: str
    source: str
    imported_at: datetime
    entries: int


@dataclass(frozen=True, slots=True)
class OutletRating:
    """What one rating set says about one outlet."""

    set_name: str
    domain: str
    value: str
    reliability: float | None
    satire: bool


class RatingStore:
    """Reads and writes rating sets on the engine of an open ``SqlStore``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def import_set(self, name: str, fmt: str, source: str, ratings: Sequence[Rating], now: datetime) -> int:
        """Store ``ratings`` as the set ``name``, replacing an earlier import of it (one transaction)."""
        with self.engine.begin() as conn:
            conn.execute(delete(rating_sets).where(rating_sets.c.name == name))
            inserted = conn.execute(
                insert(rating_sets).values(name=name, format=fmt, source=source, imported_at=now, entries=len(ratings))
            ).inserted_primary_key
            assert inserted is not None
            set_id = inserted[0]
            rows = [
                {"set_id": set_id, "domain": r.domain, "value": r.value, "reliability": r.reliability,
                 "satire": r.satire}
                for r in ratings
            ]  # fmt: skip
            for start in range(0, len(rows), 2000):
                conn.execute(insert(outlet_ratings), rows[start : start + 2000])
        return len(rows)

    def sets(self) -> list[RatingSet]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(rating_sets).order_by(rating_sets.c.name)).all()
        return [RatingSet(r.name, r.format, r.source, r.imported_at, r.entries) for r in rows]

    def remove(self, name: str) -> bool:
        with self.engine.begin() as conn:
            return bool(conn.execute(delete(rating_sets).where(rating_sets.c.name == name)).rowcount)

    def for_domains(self, domains: Iterable[str | None]) -> dict[str, list[OutletRating]]:
        """Every set's rating of each domain (domains normalised first); unrated domains map to []."""
        keys = {d: outlet_domain(d) for d in domains if d}
        wanted = sorted({k for k in keys.values() if k})
        found: dict[str, list[OutletRating]] = defaultdict(list)
        if wanted:
            with self.engine.connect() as conn:
                for start in range(0, len(wanted), 500):
                    query = (
                        select(rating_sets.c.name, outlet_ratings)
                        .join(rating_sets, rating_sets.c.id == outlet_ratings.c.set_id)
                        .where(outlet_ratings.c.domain.in_(wanted[start : start + 500]))
                        .order_by(rating_sets.c.name)
                    )
                    for r in conn.execute(query):
                        found[r.domain].append(OutletRating(r.name, r.domain, r.value, r.reliability, r.satire))
        return {d: list(found.get(k or "", [])) for d, k in keys.items()}

    def for_domain(self, domain: str) -> list[OutletRating]:
        return self.for_domains([domain]).get(domain, [])
