"""Claim matching: an article's claims against the fact-check knowledge base, and its stage.

``Matcher`` holds a hybrid index (:mod:`veracity.factchecks.retrieval`) over every stored
fact-check. ``search`` gives each claim its best fact-checks with a probability score;
``match_articles`` is the after-ingest stage: for each article it takes the claims to match
(:func:`claims_to_match`), keeps the fact-checks scoring at least ``match_threshold``, labels
those published after the article (``published_after_article``: the fact-check came later,
it still tells about the claim) and replaces the article's stored matches.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from veracity.enrich import StageResult
from veracity.errors import VeracityError
from veracity.factchecks.claimreview import FactCheck
from veracity.factchecks.retrieval import HybridIndex, Ranker, get_encoder
from veracity.factchecks.settings import FactCheckSettings
from veracity.factchecks.store import FactCheckStore, StoredMatch
from veracity.settings import Settings
from veracity.store.sql import SqlStore

_SENTENCE = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])")


@dataclass(frozen=True, slots=True)
class Match:
    """A fact-check found for a claim, with its score (0..1)."""

    factcheck: FactCheck
    score: float


@dataclass(frozen=True, slots=True)
class Claim:
    """A claim of an article to match: its text and what it is (``sentence``, ``claim``, ``quote``)."""

    text: str
    kind: str = "sentence"


class Matcher:
    """The knowledge base indexed for matching; build once per run."""

    def __init__(self, items: Sequence[FactCheck], settings: FactCheckSettings) -> None:
        self.items = list(items)
        self.settings = settings
        self.ranker = Ranker.load(settings.match_encoder)
        encoder = get_encoder(settings.match_encoder) if self.items else None
        self.index = HybridIndex([f.claim for f in self.items], [f.title or "" for f in self.items], encoder)

    @classmethod
    def from_store(cls, store: FactCheckStore, settings: FactCheckSettings) -> Matcher:
        return cls(list(store.iter_all()), settings)

    def search(
        self, claims: Sequence[str], *, limit: int | None = None, threshold: float | None = 0.0
    ) -> list[list[Match]]:
        """Per claim, its best fact-checks (at most ``limit``, default ``match_top_k``) scoring >= ``threshold``.

        ``threshold`` None: no threshold; default 0.0 means "use ``match_threshold``".
        """
        if not self.items:
            return [[] for _ in claims]
        floor = self.settings.match_threshold if threshold == 0.0 else (threshold or 0.0)
        hits = self.index.search(claims, self.ranker, limit=limit or self.settings.match_top_k)
        return [[Match(self.items[h.doc], h.score) for h in row if h.score >= floor] for row in hits]


def split_sentences(text: str) -> list[str]:
    """Sentences of a text (a plain splitter on end punctuation followed by a capital)."""
    out: list[str] = []
    for paragraph in text.split("\n"):
        out.extend(s.strip() for s in _SENTENCE.split(paragraph) if s.strip())
    return out


def claims_to_match(store: SqlStore, article_id: str, settings: FactCheckSettings | None = None) -> list[Claim]:
    """The claims of an article to match against fact-checks.

    Its headline (often the article's main claim: on CheckThat! 2021 Task 3 train it matched a
    PolitiFact fact-check for 75 articles whose body claims matched none, see docs/evaluation.md
    "Verdicts"), then its check-worthy claims and the contents of its quotes, from the analysis
    (which runs before this stage); for an article not analysed (no language model, an older
    database), the sentences of its body. Either way those of at least ``min_claim_chars``
    characters, ``max_claims_per_article`` at most.
    """
    from veracity.analysis.pipeline import claim_texts
    from veracity.analysis.store import AnalysisStore

    settings = settings or FactCheckSettings()
    article = store.get(article_id).article
    if AnalysisStore(store).load(article_id) is not None:
        texts = claim_texts(store, article_id)
    else:
        texts = split_sentences(article.body)
    headline = " ".join(article.title.split())
    kinds = dict.fromkeys(t for t in texts if len(t) >= settings.min_claim_chars)
    claims = [Claim(headline, "headline")] if len(headline) >= settings.min_claim_chars else []
    claims += [Claim(t) for t in kinds if t != headline]
    return claims[: settings.max_claims_per_article]


def _published(store: SqlStore, article_id: str) -> datetime | None:
    stored = store.get(article_id)
    return stored.article.published or stored.created_at


def match_articles(
    store: SqlStore, settings: Settings, ids: Sequence[str], matcher: Matcher | None = None
) -> StageResult:
    """The fact-check matching stage: match and store each article's claims (idempotent)."""
    result = StageResult("factchecks")
    kb = FactCheckStore(store.engine)
    if matcher is None:
        if kb.count() == 0:
            result.done = len(ids)
            for article_id in ids:
                kb.replace_matches(article_id, [], _now())
            return result
        matcher = Matcher.from_store(kb, settings.factchecks)
    for article_id in ids:
        try:
            claims = claims_to_match(store, article_id, settings.factchecks)
            published = _published(store, article_id)
            rows: dict[tuple[str, int], dict[str, Any]] = {}
            for number, (claim, found) in enumerate(zip(claims, matcher.search([c.text for c in claims]), strict=True)):
                for m in found:
                    review = m.factcheck.review_date
                    rows[(m.factcheck.id, number)] = {
                        "factcheck_id": m.factcheck.id,
                        "claim_number": number,
                        "claim": claim.text,
                        "claim_kind": claim.kind,
                        "score": round(m.score, 6),
                        "published_after_article": bool(review and published and review > published),
                    }
            kb.replace_matches(article_id, list(rows.values()), _now())
            result.done += 1
        except VeracityError as exc:
            result.failures.append((article_id, exc.message))
    return result


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def matches_json(store: SqlStore, article_id: str) -> list[dict[str, Any]]:
    """``factcheck_matches`` for ``veracity show ID --json``: stored matches, best score first."""
    return [_match_json(m) for m in FactCheckStore(store.engine).matches(article_id)]


def _match_json(m: StoredMatch) -> dict[str, Any]:
    fc = m.factcheck
    return {
        "claim": m.claim,
        "claim_kind": m.claim_kind,
        "score": m.score,
        "published_after_article": m.published_after_article,
        "factcheck_id": fc.id,
        "factcheck_claim": fc.claim,
        "rating": fc.rating.label,
        "rating_score": fc.rating.score,
        "rating_original": fc.rating.original,
        "url": fc.review_url,
        "publisher": fc.publisher,
        "review_date": fc.review_date.isoformat() if fc.review_date else None,
    }


@dataclass(frozen=True, slots=True)
class VerdictMatch:
    """A stored match as the verdict weighs it (``veracity.verdict.signals.MatchLike``)."""

    score: float
    rating: str
    rating_value: float | None
    publisher: str
    url: str
    published_after_article: bool


def matches_for_article(store: SqlStore, article_id: str) -> list[VerdictMatch]:
    """The article's stored fact-check matches, for the verdict's fact-check signal."""
    return [
        VerdictMatch(
            score=m.score,
            rating=m.factcheck.rating.label,
            rating_value=m.factcheck.rating.score,
            publisher=m.factcheck.publisher or m.factcheck.publisher_site or "a fact-checker",
            url=m.factcheck.review_url or "",
            published_after_article=m.published_after_article,
        )
        for m in FactCheckStore(store.engine).matches(article_id)
    ]


def rematch_stored(store: SqlStore, settings: Settings, batch: int = 200) -> list[str]:
    """After new fact-checks arrived: match every stored article again; the ids whose matches changed.

    A fact-check published after an article still matches it (``published_after_article``).
    The verdicts of the returned articles are what the new evidence concerns.
    """
    kb = FactCheckStore(store.engine)
    if kb.count() == 0:
        return []
    matcher = Matcher.from_store(kb, settings.factchecks)
    changed: list[str] = []
    ids = [s.id for s in store.iter_all()]
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        before = {aid: sorted((m.factcheck.id, m.claim_number) for m in kb.matches(aid)) for aid in chunk}
        match_articles(store, settings, chunk, matcher)
        changed.extend(
            aid for aid in chunk if sorted((m.factcheck.id, m.claim_number) for m in kb.matches(aid)) != before[aid]
        )
    return changed
