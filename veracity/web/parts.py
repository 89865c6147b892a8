"""Where the web desk meets the parts built beside it: stories, analysis, fact-checks, verdicts.

Each page section is fed by one function here; it returns ``None`` or an empty list when the
article has nothing for it yet (not analysed, in no story, never judged), and the page then
leaves the section out. The shapes below (plain dicts, documented per function) are what the
templates and the JSON API show. Reviews go through the verdict part's ``review``: its
``verdicts`` table is the one audit trail of verdicts (the desk's own ``web_audit`` log keeps
sign-ins and source changes only). Fact-checks matched to claims are not fed yet.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select

from veracity.analysis.store import claims_t, entities_t, quotes_t
from veracity.article import LABELS
from veracity.errors import ConfigError, InputError, NotFoundError
from veracity.ratings.store import RatingStore
from veracity.store.schema import articles
from veracity.store.sql import SqlStore
from veracity.stories.persist import story_members, story_rows
from veracity.stories.report import story_detail
from veracity.text.normalize import domain_of
from veracity.verdict import judge
from veracity.verdict.store import VerdictStore
from veracity.web import verdicts as v

# Entity labels worth filtering the feed by (dates and numbers are not).
NAME_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "LAW", "WORK_OF_ART")


def verdicts(store: SqlStore, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Verdicts of many articles at once (for the feed and the queue): ``{id: {"label", "confidence", …}}``.

    An article with no verdict (never judged, no label) is left out; its card shows its stored label.
    """
    latest = v.latest_rows(store, ids)
    labels = v.stored_labels(store, ids)
    out = {}
    for aid in ids:
        found = v.shape(latest.get(aid, {}), labels.get(aid))
        if found is not None:
            out[aid] = found
    return out


def verdict(store: SqlStore, article_id: str) -> dict[str, Any] | None:
    """The verdict that counts on one article (reviewer's, else imported, else the machine's), or None.

    Shape: ``{"label", "confidence" (0..1, the machine's only), "source" (reviewer | imported |
    machine), "explanation", "decided_at" (datetime or None), "by" (reviewers), "evidence":
    [{"text", "source", "url", "stance", "present"}], "machine": {"label", "confidence"} (when the
    machine's verdict is not the one that counts)}``.
    """
    return verdicts(store, [article_id]).get(article_id)


def verdict_clause(label: str) -> ColumnElement[bool]:
    """The SQL condition "this article's effective verdict is ``label``"."""
    return v.effective_label() == label


def entity_clause(entity: str) -> ColumnElement[bool] | None:
    """The SQL condition "this article mentions ``entity``" (its canonical name or as written)."""
    name = entity.strip()
    mentions = select(entities_t.c.article_id).where(or_(entities_t.c.canonical == name, entities_t.c.text == name))
    return articles.c.id.in_(mentions)


def entities(store: SqlStore, article_id: str) -> list[str]:
    """Named entities of an article (canonical names to filter the feed by), most mentioned first."""
    query = (
        select(entities_t.c.canonical, func.count().label("n"), func.min(entities_t.c.seq).label("first"))
        .where(entities_t.c.article_id == article_id, entities_t.c.label.in_(NAME_LABELS))
        .group_by(entities_t.c.canonical)
        .order_by(func.count().desc(), func.min(entities_t.c.seq))
    )
    with store.engine.connect() as conn:
        return [str(r.canonical) for r in conn.execute(query) if str(r.canonical).strip()]


def quotes(store: SqlStore, article_id: str) -> list[dict[str, Any]]:
    """Quotes in an article, in order: ``[{"speaker", "speaker_entity", "cue", "kind", "text"}]``."""
    query = select(quotes_t).where(quotes_t.c.article_id == article_id).order_by(quotes_t.c.seq)
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        {"speaker": r.speaker_entity or r.speaker, "speaker_entity": r.speaker_entity, "cue": r.cue,
         "kind": r.kind, "text": r.content}
        for r in rows
    ]  # fmt: skip


def claims(store: SqlStore, article_id: str) -> list[dict[str, Any]]:
    """Check-worthy claims (the analysis stores those above its threshold), most check-worthy first.

    Shape: ``[{"text", "score", "factchecks": [{"rating", "publisher", "url", "title", "summary_html"}]}]``;
    ``summary_html`` may hold markup from the fact-checker and is shown through nh3. A quote
    that matched a fact-check is listed too, after the claims, with no score.
    """
    from veracity.factchecks.store import FactCheckStore

    query = (
        select(claims_t.c.text, claims_t.c.score)
        .where(claims_t.c.article_id == article_id)
        .order_by(claims_t.c.score.desc(), claims_t.c.seq)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    out: dict[str, dict[str, Any]] = {
        r.text: {"text": r.text, "score": round(float(r.score), 3), "factchecks": []} for r in rows
    }
    for m in FactCheckStore(store.engine).matches(article_id):
        entry = out.setdefault(m.claim, {"text": m.claim, "score": None, "factchecks": []})
        fc = m.factcheck
        entry["factchecks"].append(
            {
                "rating": fc.rating.label,
                "rating_original": fc.rating.original,
                "publisher": fc.publisher or fc.publisher_site,
                "url": fc.review_url,
                "title": fc.title or fc.claim,
                "summary_html": None,
                "match_score": round(m.score, 3),
                "published_after_article": m.published_after_article,
            }
        )
    return list(out.values())


def story_of(store: SqlStore, article_id: str) -> dict[str, Any] | None:
    """The story an article belongs to: ``{"id", "title", "size", "first_outlet"}``, or None."""
    with store.engine.connect() as conn:
        story_id = conn.execute(
            select(story_members.c.story_id).where(story_members.c.article_id == article_id)
        ).scalar_one_or_none()
        if story_id is None:
            return None
        rows = story_rows(conn, story_id)
    return {"id": story_id, "title": rows[0].title, "size": len(rows), "first_outlet": rows[0].outlet_name}


def _group(reliability: float | None) -> str:
    if reliability is None:
        return "unrated"
    return "reliable" if reliability >= 0.7 else "unreliable" if reliability < 0.4 else "mixed reliability"


def story(store: SqlStore, story_id: str) -> dict[str, Any] | None:
    """A story with its timeline and coverage, or None when there is no such story.

    Shape: ``{"id", "title", "size", "first_outlet", "first_report", "independent_outlets",
    "articles": [{"id", "title", "outlet", "domain", "created_at", "url", "copy_of", "copy_kind",
    "own_report"}] (first published first), "coverage": [{"group", "count", "outlets"}] (outlets
    by their mean reliability over the rating sets), "blindspot" (None: no rating set gives
    leanings), "history"}``.
    """
    try:
        data = story_detail(store, story_id)
    except NotFoundError:
        return None
    keys = {a["id"]: a["domain"] or domain_of(a["url"]) or None for a in data["articles"]}
    rated = RatingStore(store.engine).for_domains(keys.values())
    outlets: dict[str, str] = {}
    for a in data["articles"]:
        ratings = [r.reliability for r in rated.get(keys[a["id"]] or "", []) if r.reliability is not None]
        outlets.setdefault(a["outlet"], _group(sum(ratings) / len(ratings) if ratings else None))
    order = ("reliable", "mixed reliability", "unreliable", "unrated")
    counts = Counter(outlets.values())
    return {
        "id": data["id"],
        "title": data["articles"][0]["title"],
        "size": data["size"],
        "first_outlet": data["first_outlet"],
        "first_report": data["first_report"],
        "independent_outlets": data["independent_outlets"],
        "articles": [
            {
                "id": a["id"],
                "title": a["title"],
                "outlet": a["outlet"],
                "domain": a["domain"],
                "created_at": a["first_seen"],
                "url": a["url"],
                "copy_of": a["copies"][0]["id"] if a["copies"] else None,
                "copy_kind": a["copies"][0]["kind"] if a["copies"] else None,
                "own_report": a["report"] == a["id"],
            }
            for a in data["articles"]
        ],
        "coverage": [
            {"group": g, "count": counts[g], "outlets": sorted(o for o, k in outlets.items() if k == g)}
            for g in order
            if counts[g]
        ],
        "blindspot": None,
        "history": data["history"],
    }


def outlet_ratings(store: SqlStore, domain: str) -> list[dict[str, Any]]:
    """An outlet's ratings, one per imported rating set.

    Shape: ``[{"rating_set", "value", "reliability", "satire", "leaning"}]``; ``leaning`` is None:
    no supported rating format carries one.
    """
    return [
        {"rating_set": r.set_name, "value": r.value, "reliability": r.reliability, "satire": r.satire, "leaning": None}
        for r in RatingStore(store.engine).for_domain(domain)
    ]


def track_record(store: SqlStore, domain: str) -> dict[str, int]:
    """How many of the outlet's articles have each effective verdict: ``{"Truth": 12, "Fake": 1, …}``."""
    counts = v.label_counts(store, domain)
    return {k: counts[k] for k in LABELS if counts.get(k)}


def review_queue(store: SqlStore, limit: int, below: float = 0.6) -> list[str]:
    """Article ids waiting for a reviewer, most urgent first: disputed, then low-confidence verdicts.

    See :func:`veracity.web.verdicts.queue`; ``below`` is ``WebSettings.review_below``.
    """
    return v.queue(store, limit, below)


def review(store: SqlStore, article_id: str, label: str, note: str, by: str) -> None:
    """A reviewer sets an article's verdict, with a note: the verdict part's ``review`` records it.

    Bad input (a label not in ``LABELS``, no note) raises ``ConfigError`` (shown as 422).
    """
    if label not in LABELS:
        raise ConfigError(f"a verdict is one of {', '.join(LABELS)}", label)
    if not note.strip():
        raise ConfigError("a review needs a note saying why", article_id)
    try:
        judge.review(store, article_id, label, note, by)
    except InputError as exc:
        raise ConfigError(exc.message, article_id) from exc


def audit_trail(store: SqlStore, article_id: str) -> list[dict[str, Any]]:
    """The article's verdict history, newest first: ``[{"at", "actor", "action", "from", "to", "note"}]``.

    Reviews (actor: the reviewer), machine verdicts (actor ``veracity``) and imported labels (``input``).
    """
    with store.engine.connect() as conn:
        try:
            aid = store.resolve(conn, article_id)
        except NotFoundError:
            return []
    return v.audit_rows(VerdictStore(store.engine).history(aid))
