"""Judging articles: gather the signals, combine them, store the verdict; the stage, re-judging, reviews.

:func:`judge` is idempotent: an article whose inputs (version, signals, model) did not change
gets no new row. :func:`verdict_stage` is the after-ingest stage; :func:`rejudge_affected`
re-judges only the articles a change concerns (a new version, a new corroborating report, a
new fact-check, a re-rated outlet). :func:`review` records a reviewer's verdict with its audit trail.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from veracity.article import LABELS
from veracity.enrich import StageResult
from veracity.errors import InputError, VeracityError
from veracity.ratings.formats import outlet_domain
from veracity.ratings.store import OutletRating, RatingStore
from veracity.settings import Settings
from veracity.store.base import StoredArticle
from veracity.store.schema import articles
from veracity.store.sql import SqlStore
from veracity.text.normalize import domain_of
from veracity.verdict import inputs, signals
from veracity.verdict.content import content_signal
from veracity.verdict.model import Verdict, combine, load_params, model_id
from veracity.verdict.store import VerdictStore


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def params_for(settings: Settings) -> dict[str, Any]:
    """The parameter file the settings name (or the shipped one), with the settings' threshold."""
    path = settings.verdict.verdict_params
    try:
        params = dict(load_params(Path(path) if path else None))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the verdict parameter file: {exc}", path or "params.json") from exc
    if settings.verdict.abstain_below > 0:
        params["abstain_below"] = settings.verdict.abstain_below
    return params


def domain_for(stored: StoredArticle, names: Mapping[str, str] | None = None) -> str | None:
    """The outlet's registered domain: given, else from the article's URL, else from a registered outlet's name."""
    a = stored.article
    found = outlet_domain(a.outlet.domain or domain_of(a.canonical_url or a.url))
    if found is None and names:
        found = names.get(a.outlet.name.casefold())
    return found


@dataclass
class Context:
    """What a run of judgements shares: parameters, stores, and caches of outlet lookups."""

    store: SqlStore
    params: dict[str, Any]
    ratings: RatingStore
    verdicts: VerdictStore
    kinds: dict[str | None, str | None] = field(default_factory=dict)
    rated: dict[str, list[OutletRating]] = field(default_factory=dict)
    names: dict[str, str] | None = None

    def domain(self, stored: StoredArticle) -> str | None:
        if self.names is None:
            self.names = inputs.outlet_names(self.store)
        return domain_for(stored, self.names)

    @classmethod
    def open(cls, store: SqlStore, settings: Settings) -> Context:
        return cls(store, params_for(settings), RatingStore(store.engine), VerdictStore(store.engine))

    def ratings_for(self, domains: Iterable[str]) -> dict[str, list[OutletRating]]:
        missing = [d for d in domains if d not in self.rated]
        if missing:
            self.rated.update(self.ratings.for_domains(missing))
        return {d: self.rated.get(d, []) for d in domains}

    def kind(self, domain: str | None) -> str | None:
        if domain not in self.kinds:
            self.kinds[domain] = inputs.outlet_kind(self.store, domain)
        return self.kinds[domain]


def gather(ctx: Context, stored: StoredArticle) -> list[signals.Signal]:
    """Every signal for one article, read through the adapters."""
    a = stored.article
    domain = ctx.domain(stored)
    own = ctx.ratings_for([domain])[domain] if domain else []
    corr = inputs.corroboration_for(ctx.store, stored.id)
    reliability: dict[str, float | None] = {}
    if corr is not None and corr.independent_outlets:
        for outlet, rated in ctx.ratings_for(corr.independent_outlets).items():
            values = [r.reliability for r in rated if r.reliability is not None]
            reliability[outlet] = sum(values) / len(values) if values else None
    reviewed, machine = ctx.verdicts.track_record(domain, stored.id) if domain else ({}, {})
    loaded = inputs.loaded_terms_for(ctx.store, stored.id)
    return [
        signals.factchecks(inputs.factcheck_matches_for(ctx.store, stored.id)),
        signals.outlet_reliability(domain, own),
        signals.corroboration(corr, reliability),
        signals.track_record(signals.TrackRecord(domain, dict(reviewed), dict(machine))),
        content_signal(a.title, a.body, ctx.params["content"], loaded),
        signals.genre(outlet_kind=ctx.kind(domain), ratings=own, section=a.section, url=a.url, title=a.title),
    ]


def inputs_hash(version: int, found: Sequence[signals.Signal], params: dict[str, Any]) -> str:
    """What the verdict depends on: the version, every signal's numbers and details, the model."""
    payload = [version, model_id(params), params["abstain_below"]]
    payload += [[s.name, s.present, sorted(s.features.items()), s.details] for s in found]
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def judge_one(ctx: Context, stored: StoredArticle, now: datetime | None = None) -> tuple[Verdict, bool]:
    """Judge one article; returns the verdict and whether a new row was stored (its inputs changed)."""
    now = now or _now()
    found = gather(ctx, stored)
    verdict = combine(found, ctx.params)
    domain = ctx.domain(stored)
    changed = ctx.verdicts.add_if_changed(
        "machine",
        article_id=stored.id,
        version=stored.versions,
        label=verdict.label,
        confidence=verdict.confidence,
        genre=verdict.genre,
        evidence=verdict.to_json(),
        inputs_hash=inputs_hash(stored.versions, found, ctx.params),
        model=verdict.model,
        created_at=now,
        outlet_domain=domain,
        article_evidence=any(s.name == "fact-check" and s.present for s in found),
    )
    label = stored.article.label
    if label and label != "Unverified":  # an input saying "Unverified" says nothing: not an external verdict
        ctx.verdicts.add_if_changed(
            "imported",
            article_id=stored.id,
            version=stored.versions,
            label=label,
            confidence=None,
            evidence={"provenance": {"input": stored.article.source or None, "field": "label"}},
            inputs_hash=hashlib.sha256(label.encode()).hexdigest(),
            model="input",
            created_at=now,
            outlet_domain=domain,
        )
    return verdict, changed


def judge(
    store: SqlStore, settings: Settings, ids: Sequence[str], on_progress: Callable[[], None] | None = None
) -> StageResult:
    """Judge ``ids``; one failure is recorded and the rest go on."""
    result = StageResult("verdict")
    ctx = Context.open(store, settings)
    for aid in ids:
        try:
            judge_one(ctx, store.get(aid))
            result.done += 1
        except VeracityError as exc:
            result.failures.append((aid, str(exc.message)))
        if on_progress:
            on_progress()
    return result


def verdict_stage(store: SqlStore, settings: Settings, ids: Sequence[str]) -> StageResult:
    """The after-ingest stage (veracity/enrich.py): judge the articles stored new or changed.

    Their stories' other articles are re-judged too: a new report corroborates them.
    """
    from veracity.stories.persist import story_ids_of

    result = rejudge_affected(store, settings, article_ids=ids, story_ids=story_ids_of(store, ids))
    result.name = "verdict"
    return result


def affected_ids(
    store: SqlStore,
    *,
    article_ids: Iterable[str] = (),
    domains: Iterable[str] = (),
    story_ids: Iterable[str] = (),
) -> list[str]:
    """The articles a change concerns: named ones, those of re-rated outlets, the members of changed stories."""
    wanted = dict.fromkeys(article_ids)
    for story in story_ids:
        wanted.update(dict.fromkeys(inputs.story_members(store, story)))
    keys = {k for k in (outlet_domain(d) for d in domains) if k}
    if keys:
        with store.engine.connect() as conn:
            for aid, dom, url in conn.execute(select(articles.c.id, articles.c.outlet_domain, articles.c.url)):
                if outlet_domain(dom or domain_of(url)) in keys:
                    wanted[aid] = None
    return list(wanted)


def rejudge_affected(
    store: SqlStore,
    settings: Settings,
    *,
    article_ids: Iterable[str] = (),
    domains: Iterable[str] = (),
    story_ids: Iterable[str] = (),
) -> StageResult:
    """Re-judge only the articles a change concerns.

    A new fact-check: pass the ids of the articles it matched (``article_ids``). A new
    corroborating or contradicting report: its story (``story_ids``). A new version: the
    article's id. A re-imported rating set: the outlets' ``domains``. When a re-judged
    article's verdict enters its outlet's track record differently (a verdict resting on a
    fact-check appeared or changed), the outlet's other articles are affected too and are
    re-judged once more; their verdicts rest on no fact-check, so it stops there.
    """
    ids = affected_ids(store, article_ids=article_ids, domains=domains, story_ids=story_ids)
    verdicts = VerdictStore(store.engine)
    before = {aid: _record_entry(verdicts, aid) for aid in ids}
    result = judge(store, settings, ids)
    moved = {aid for aid in ids if _record_entry(verdicts, aid) != before[aid]}
    outlets = {d for d in (verdicts.outlet_of(aid) for aid in moved) if d}
    if outlets:
        done = set(ids)
        mates = [aid for aid in affected_ids(store, domains=outlets) if aid not in done]
        more = judge(store, settings, mates)
        result.done += more.done
        result.failures += more.failures
    return result


def _record_entry(verdicts: VerdictStore, article_id: str) -> tuple[str, bool] | None:
    """What an article's machine verdict contributes to its outlet's track record (None: nothing)."""
    row = verdicts.latest(article_id).get("machine")
    return (row.label, True) if row is not None and row.evidence_backed else None


def review(
    store: SqlStore, article_id: str, label: str, note: str, by: str, now: datetime | None = None
) -> dict[str, Any]:
    """Record a reviewer's verdict; it wins over the machine's and an imported one. Returns the stored row."""
    if label not in LABELS:
        raise InputError(f"label must be one of {', '.join(LABELS)}", label)
    if not by.strip():
        raise InputError("a review needs the reviewer's name (--by)", article_id)
    if not note.strip():
        raise InputError("a review needs a note saying why (--note)", article_id)
    stored = store.get(article_id)
    verdicts = VerdictStore(store.engine)
    before = verdicts.effective(stored.id)
    previous = (before.label, before.source) if before else (None, None)
    imported = stored.article.label
    if imported and imported != "Unverified" and previous[1] in (None, "machine"):
        previous = (imported, "imported")  # not judged since the input came: its label still counts over the machine
    verdicts.add(
        article_id=stored.id,
        version=stored.versions,
        source="reviewer",
        label=label,
        confidence=None,
        evidence={"evidence": before.evidence.get("evidence", []) if before else []},
        inputs_hash="review",
        model="reviewer",
        created_at=now or _now(),
        reviewer=by.strip(),
        note=note.strip(),
        previous_label=previous[0],
        previous_source=previous[1],
        outlet_domain=domain_for(stored, inputs.outlet_names(store)),
    )
    row = verdicts.latest(stored.id)["reviewer"]
    return {"id": stored.id, **row.to_json()}
