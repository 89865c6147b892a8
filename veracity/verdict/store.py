"""The ``verdicts`` table: every verdict on every article version, machine, imported and reviewer, as history.

Migration ``0006`` creates it. Rows are only ever added: a re-judgement whose inputs did not
change adds nothing (idempotent), one whose inputs changed adds a row, a review adds a row
naming the reviewer, the note and the verdict it replaced (the audit trail). Which verdict
counts (:meth:`VerdictStore.effective`): the latest reviewer's, else an imported label, else
the machine's.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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
    func,
    insert,
    select,
)

metadata = MetaData()

# The articles table as far as the foreign key needs it (it lives in veracity.store.schema's metadata).
_articles = Table("articles", metadata, Column("id", String(12), primary_key=True))

verdicts = Table(
    "verdicts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", String(12), ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("version", Integer, nullable=False),
    Column("source", String(16), nullable=False),  # machine | imported | reviewer
    Column("label", String(16), nullable=False),
    Column("confidence", Float),
    Column("genre", String(16)),
    Column("evidence", Text, nullable=False),  # JSON: the verdict object (signals, probabilities) or provenance
    Column("inputs_hash", String(64), nullable=False),
    Column("model", Text, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("reviewer", Text),
    Column("note", Text),
    Column("previous_label", String(16)),
    Column("previous_source", String(16)),
    Column("outlet_domain", Text),
    # machine verdicts: whether evidence about the article itself (a fact-check match) was present;
    # only those enter the outlet's track record, so the machine does not grade outlets by their ratings
    Column("article_evidence", Boolean, nullable=False),
)

SOURCES = ("machine", "imported", "reviewer")


@dataclass(frozen=True, slots=True)
class VerdictRow:
    """One stored verdict."""

    id: int
    article_id: str
    version: int
    source: str
    label: str
    confidence: float | None
    genre: str | None
    evidence: dict[str, Any]
    inputs_hash: str
    model: str
    created_at: datetime
    reviewer: str | None
    note: str | None
    previous_label: str | None
    previous_source: str | None
    evidence_backed: bool = False  # machine verdicts: a fact-check match was present
    outlet_domain: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "label": self.label,
            "confidence": None if self.confidence is None else round(self.confidence, 3),
            "source": self.source,
            "version": self.version,
            "at": self.created_at.isoformat(timespec="seconds"),
        }
        if self.source == "machine":
            out.update(
                evidence=self.evidence.get("evidence", []), genre=self.genre, leaning=self.evidence.get("leaning"),
                reason=self.evidence.get("reason", ""), probabilities=self.evidence.get("probabilities", {}),
                model=self.model,
            )  # fmt: skip
        else:
            out["evidence"] = self.evidence.get("evidence", [])
            out["provenance"] = self.evidence.get("provenance")
        if self.source == "reviewer":
            out.update(by=self.reviewer, note=self.note, previous={"label": self.previous_label,
                                                                   "source": self.previous_source})  # fmt: skip
        return out


def _row(r: Any) -> VerdictRow:
    return VerdictRow(
        r.id, r.article_id, r.version, r.source, r.label, r.confidence, r.genre, json.loads(r.evidence),
        r.inputs_hash, r.model, r.created_at, r.reviewer, r.note, r.previous_label, r.previous_source,
        bool(r.article_evidence), r.outlet_domain,
    )  # fmt: skip


class VerdictStore:
    """Reads and writes verdicts on the engine of an open ``SqlStore``; each method one transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, **values: Any) -> None:
        values.setdefault("article_evidence", False)
        values["evidence"] = json.dumps(values.get("evidence", {}), ensure_ascii=False, sort_keys=True)
        with self.engine.begin() as conn:
            conn.execute(insert(verdicts).values(**values))

    def add_if_changed(self, source: str, **values: Any) -> bool:
        """Add a machine or imported verdict unless the latest of that source has the same inputs."""
        with self.engine.begin() as conn:
            last = conn.execute(
                select(verdicts.c.inputs_hash)
                .where(verdicts.c.article_id == values["article_id"], verdicts.c.source == source)
                .order_by(verdicts.c.id.desc())
                .limit(1)
            ).first()
            if last is not None and last.inputs_hash == values["inputs_hash"]:
                return False
            values["evidence"] = json.dumps(values.get("evidence", {}), ensure_ascii=False, sort_keys=True)
            values.setdefault("article_evidence", False)
            conn.execute(insert(verdicts).values(source=source, **values))
        return True

    def history(self, article_id: str) -> list[VerdictRow]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(verdicts).where(verdicts.c.article_id == article_id).order_by(verdicts.c.id)
            ).all()
        return [_row(r) for r in rows]

    def latest(self, article_id: str) -> dict[str, VerdictRow]:
        """The newest verdict of each source for an article."""
        out: dict[str, VerdictRow] = {}
        for row in self.history(article_id):
            out[row.source] = row
        return out

    def latest_many(self, ids: Sequence[str]) -> dict[str, dict[str, VerdictRow]]:
        """:meth:`latest` for many articles, one query a 500 ids: ``{id: {source: row}}`` (unjudged ids absent)."""
        out: dict[str, dict[str, VerdictRow]] = {}
        wanted = list(dict.fromkeys(ids))
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                newest = (
                    select(func.max(verdicts.c.id))
                    .where(verdicts.c.article_id.in_(chunk))
                    .group_by(verdicts.c.article_id, verdicts.c.source)
                )
                for r in conn.execute(select(verdicts).where(verdicts.c.id.in_(newest))):
                    row = _row(r)
                    out.setdefault(row.article_id, {})[row.source] = row
        return out

    def effective(self, article_id: str) -> VerdictRow | None:
        """The verdict that counts: reviewer's, else an imported label, else the machine's."""
        latest = self.latest(article_id)
        for source in ("reviewer", "imported", "machine"):
            if source in latest:
                return latest[source]
        return None

    def track_record(self, domain: str, exclude: str, limit: int = 2000) -> tuple[Counter[str], Counter[str]]:
        """Label counts of the outlet's other articles, newest ``limit`` rows read.

        Returns (external, machine): external are reviewers' verdicts and labels that came with
        the input; machine are machine verdicts that rested on a fact-check match (verdicts
        from outlet ratings alone are left out, or the outlet would be graded by its ratings twice).
        """
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(verdicts.c.article_id, verdicts.c.source, verdicts.c.label, verdicts.c.article_evidence)
                .where(verdicts.c.outlet_domain == domain, verdicts.c.article_id != exclude)
                .order_by(verdicts.c.id.desc())
                .limit(limit)
            ).all()
        current: dict[tuple[str, str], Any] = {}
        for r in rows:  # newest first: the first row seen per article and source is its current one
            current.setdefault((r.article_id, r.source), r)
        external: dict[str, str] = {}
        for source in ("imported", "reviewer"):  # a review overrides an imported label
            for (aid, src), r in current.items():
                if src == source:
                    external[aid] = r.label
        machine = {
            aid: r.label
            for (aid, src), r in current.items()
            if src == "machine" and r.article_evidence and aid not in external
        }
        return Counter(external.values()), Counter(machine.values())

    def outlet_of(self, article_id: str) -> str | None:
        with self.engine.connect() as conn:
            value = conn.execute(
                select(verdicts.c.outlet_domain)
                .where(verdicts.c.article_id == article_id)
                .order_by(verdicts.c.id.desc())
                .limit(1)
            ).scalar()
        return str(value) if value else None

    def judged_ids(self, ids: Iterable[str]) -> set[str]:
        wanted = list(ids)
        found: set[str] = set()
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                found |= set(
                    conn.execute(
                        select(verdicts.c.article_id).where(verdicts.c.article_id.in_(wanted[start : start + 500]))
                    ).scalars()
                )
        return found
