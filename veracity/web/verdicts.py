"""The verdict that counts, read in SQL for the desk: one article, many at once, a filter, the review queue.

The verdict part (``veracity.verdict``) stores every verdict as history in ``verdicts``. The
one that counts is the latest reviewer's, else the label that came with the input (the
article's stored label; ``Unverified`` there says nothing), else the latest machine verdict,
else ``Unverified`` — the order of :func:`veracity.verdict.views.effective_label`, here as
one SQL expression so the feed can filter by it and the outlet page count by it without
loading articles. The correlated look-ups use the index ``ix_verdicts_article_source``
(migration 0007) on ``(article_id, source, id)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select

from veracity.store.schema import articles
from veracity.store.sql import SqlStore
from veracity.verdict.store import VerdictRow, _row, verdicts

IMPORTED_LABELS = ("Truth", "Misleading", "Fake")  # an input label "Unverified" is no verdict


def _latest_label(source: str) -> Any:
    return (
        select(verdicts.c.label)
        .where(verdicts.c.article_id == articles.c.id, verdicts.c.source == source)
        .order_by(verdicts.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def effective_label() -> ColumnElement[str]:
    """The effective verdict label of the row of ``articles`` in the enclosing query."""
    imported = case((articles.c.label.in_(IMPORTED_LABELS), articles.c.label), else_=None)
    return func.coalesce(_latest_label("reviewer"), imported, _latest_label("machine"), literal("Unverified"))


def latest_rows(store: SqlStore, ids: Sequence[str]) -> dict[str, dict[str, VerdictRow]]:
    """The newest verdict of each source for each of ``ids``: ``{id: {source: row}}``."""
    out: dict[str, dict[str, VerdictRow]] = {}
    wanted = list(dict.fromkeys(ids))
    with store.engine.connect() as conn:
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


def stored_labels(store: SqlStore, ids: Sequence[str]) -> dict[str, str | None]:
    """The label each article came with (its stored label)."""
    out: dict[str, str | None] = {}
    wanted = list(dict.fromkeys(ids))
    with store.engine.connect() as conn:
        for start in range(0, len(wanted), 500):
            query = select(articles.c.id, articles.c.label).where(articles.c.id.in_(wanted[start : start + 500]))
            out.update({str(r.id): r.label for r in conn.execute(query)})
    return out


def evidence_items(signals: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The verdict's signals as the page's evidence sentences: ``{"text", "source", "url", "stance", "present"}``."""
    out = []
    for s in signals:
        details = s.get("details") or {}
        direction = s.get("direction")
        out.append(
            {
                "text": s.get("sentence", ""),
                "source": s.get("signal"),
                "url": details.get("url") if isinstance(details, dict) else None,
                "stance": direction if direction and direction != "neutral" else None,
                "present": bool(s.get("present")),
            }
        )
    return out


def shape(latest: dict[str, VerdictRow], imported: str | None) -> dict[str, Any] | None:
    """The desk's verdict object from an article's newest rows per source and its stored label."""
    machine = latest.get("machine")
    reviewer = latest.get("reviewer")
    label = imported if imported in IMPORTED_LABELS else None
    if reviewer is not None:
        out: dict[str, Any] = {
            "label": reviewer.label,
            "confidence": None,
            "source": "reviewer",
            "by": reviewer.reviewer,
            "explanation": reviewer.note or "",
            "decided_at": reviewer.created_at,
            "evidence": evidence_items(reviewer.evidence.get("evidence", [])),
        }
    elif label is not None:
        row = latest.get("imported")
        out = {
            "label": label,
            "confidence": None,
            "source": "imported",
            "explanation": "The label came with the article's input.",
            "decided_at": row.created_at if row else None,
            "evidence": evidence_items(machine.evidence.get("evidence", [])) if machine else [],
        }
    elif machine is not None:
        out = {
            "label": machine.label,
            "confidence": None if machine.confidence is None else round(machine.confidence, 3),
            "source": "machine",
            "explanation": str(machine.evidence.get("reason") or ""),
            "decided_at": machine.created_at,
            "evidence": evidence_items(machine.evidence.get("evidence", [])),
        }
    else:
        return None
    if machine is not None and out["source"] != "machine":
        conf = None if machine.confidence is None else round(machine.confidence, 3)
        out["machine"] = {"label": machine.label, "confidence": conf}
    return out


def _newest(source: str) -> Any:
    """Each article's newest verdict id of one source (a grouped subquery, joined: one pass over the table)."""
    return (
        select(verdicts.c.article_id, func.max(verdicts.c.id).label("newest"))
        .where(verdicts.c.source == source)
        .group_by(verdicts.c.article_id)
        .subquery()
    )


def label_counts(store: SqlStore, domain: str) -> dict[str, int]:
    """How many of an outlet's articles have each effective verdict (joins, not per-article look-ups)."""
    latest_m, latest_r = _newest("machine"), _newest("reviewer")
    m, rv = verdicts.alias("m"), verdicts.alias("rv")
    imported = case((articles.c.label.in_(IMPORTED_LABELS), articles.c.label), else_=None)
    label = func.coalesce(rv.c.label, imported, m.c.label, literal("Unverified"))
    joined = (
        articles.outerjoin(latest_r, latest_r.c.article_id == articles.c.id)
        .outerjoin(rv, rv.c.id == latest_r.c.newest)
        .outerjoin(latest_m, latest_m.c.article_id == articles.c.id)
        .outerjoin(m, m.c.id == latest_m.c.newest)
    )
    query = (
        select(label.label("label"), func.count().label("n"))
        .select_from(joined)
        .where(articles.c.outlet_domain == domain)
        .group_by(label)
    )
    with store.engine.connect() as conn:
        return {str(r.label): int(r.n) for r in conn.execute(query)}


def queue(store: SqlStore, limit: int, below: float) -> list[str]:
    """Article ids waiting for a reviewer, most urgent first.

    First the disputed ones: the latest machine verdict differs from the reviewer's (given
    before it) or from the label the article came with. Then machine verdicts less confident
    than ``below`` (least confident first), then those where the machine said ``Unverified``;
    an article a reviewer judged after its latest machine verdict waits no more. Last, to
    fill the page, articles with no verdict at all and no label, newest first.
    """
    latest_m, latest_r = _newest("machine"), _newest("reviewer")
    m, rv = verdicts.alias("m"), verdicts.alias("rv")
    reference = func.coalesce(rv.c.label, case((articles.c.label.in_(IMPORTED_LABELS), articles.c.label), else_=None))
    rank = case(
        (and_(reference.is_not(None), reference != m.c.label), 0),  # disputed
        (and_(reference.is_(None), m.c.confidence < below), 1),
        (and_(reference.is_(None), m.c.label == "Unverified"), 2),
        else_=9,
    )
    joined = (
        latest_m.join(m, m.c.id == latest_m.c.newest)
        .join(articles, articles.c.id == latest_m.c.article_id)
        .outerjoin(latest_r, latest_r.c.article_id == latest_m.c.article_id)
        .outerjoin(rv, rv.c.id == latest_r.c.newest)
    )
    judged = (
        select(m.c.article_id, rank.label("rank"), m.c.confidence)
        .select_from(joined)
        .where(or_(rv.c.id.is_(None), rv.c.id < m.c.id))  # a review after the machine's verdict settled it
        .subquery()
    )
    query = (
        select(judged.c.article_id)
        .where(judged.c.rank < 9)
        .order_by(judged.c.rank, judged.c.confidence, judged.c.article_id)
        .limit(limit)
    )
    unjudged = (
        select(articles.c.id)
        .where(
            or_(articles.c.label.is_(None), articles.c.label.not_in(IMPORTED_LABELS)),
            ~select(verdicts.c.id).where(verdicts.c.article_id == articles.c.id).exists(),
        )
        .order_by(articles.c.updated_at.desc(), articles.c.id)
    )
    with store.engine.connect() as conn:
        ids = [str(x) for x in conn.execute(query).scalars()]
        if len(ids) < limit:
            ids += [str(x) for x in conn.execute(unjudged.limit(limit - len(ids))).scalars()]
    return ids


def audit_rows(history: Sequence[VerdictRow]) -> list[dict[str, Any]]:
    """The verdict history as the audit trail, newest first: reviews, machine re-judgements, imported labels."""
    out = []
    before: dict[str, str] = {}
    for row in history:
        entry: dict[str, str | None]
        if row.source == "reviewer":
            entry = {"actor": row.reviewer or "?", "action": "review", "from": row.previous_label or "Unverified"}
        elif row.source == "machine":
            entry = {"actor": "veracity", "action": "machine verdict", "from": before.get("machine")}
        else:
            entry = {"actor": "input", "action": "imported label", "from": before.get("imported")}
        before[row.source] = row.label
        out.append({"at": row.created_at, **entry, "to": row.label, "note": row.note or ""})
    return out[::-1]
