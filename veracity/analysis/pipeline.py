"""Analysing stored articles: the after-ingest stage and what ``veracity analyse`` runs.

The text analysed is the article body as stored (paragraphs joined by blank lines, captions
left out, :attr:`veracity.article.Article.body`); every offset indexes it. Articles are
parsed in batches with spaCy's ``nlp.pipe``; a batch that fails is parsed again one article
at a time, so one bad article is reported and the others are stored.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from veracity.analysis.checkworthy import score_claims
from veracity.analysis.entities import extract_entities
from veracity.analysis.loaded import find_loaded_terms
from veracity.analysis.nlp import AnalysisError, parse
from veracity.analysis.quotes import extract_quotes
from veracity.analysis.settings import AnalysisSettings
from veracity.analysis.store import Analysis, AnalysisStore
from veracity.errors import VeracityError
from veracity.settings import Settings
from veracity.store.base import StoredArticle
from veracity.store.sql import SqlStore

if TYPE_CHECKING:
    from veracity.enrich import StageResult

STAGE_NAME = "analysis"


def analyse_doc(doc: Any, settings: AnalysisSettings) -> Analysis:
    """Entities, quotes, claims and loaded terms of one parsed text."""
    entities = extract_entities(doc)
    return Analysis(
        entities=entities,
        quotes=extract_quotes(doc, entities),
        claims=score_claims(doc, settings.claim_threshold),
        loaded_terms=find_loaded_terms(doc),
    )


def analyse_texts(texts: Sequence[str], settings: AnalysisSettings) -> Iterator[Analysis | AnalysisError]:
    """One analysis (or the error that stopped it) per text, in order."""
    for k in range(0, len(texts), settings.analysis_batch_size):
        batch = list(texts[k : k + settings.analysis_batch_size])
        try:
            results: list[Analysis | AnalysisError] = [analyse_doc(d, settings) for d in parse(batch, len(batch))]
        except AnalysisError:
            raise  # the model is missing: nothing can be analysed
        except Exception:  # one bad text in the batch: go one by one to find it
            results = [_one(text, settings) for text in batch]
        yield from results


def _one(text: str, settings: AnalysisSettings) -> Analysis | AnalysisError:
    try:
        return analyse_doc(next(parse([text], 1)), settings)
    except AnalysisError:
        raise
    except Exception as exc:
        return AnalysisError(f"analysis failed: {type(exc).__name__}: {exc}")


@dataclass
class AnalyseReport:
    """What one run did: articles analysed, already current, failed (id, reason)."""

    analysed: int = 0
    unchanged: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        return f"analysed={self.analysed} unchanged={self.unchanged} failed={len(self.failures)}"


def analyse_articles(
    store: SqlStore,
    settings: Settings,
    ids: Sequence[str],
    force: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> AnalyseReport:
    """Analyse the articles ``ids`` whose newest version has no current analysis (all with ``force``)."""
    report = AnalyseReport()
    analysis_store = AnalysisStore(store)
    todo = list(dict.fromkeys(ids)) if force else analysis_store.pending(ids)
    report.unchanged = len(set(ids)) - len(todo)
    size = max(settings.analysis.analysis_batch_size * 4, 1)
    for k in range(0, len(todo), size):
        chunk: list[StoredArticle] = []
        for aid in todo[k : k + size]:
            try:
                chunk.append(store.get(aid))
            except VeracityError as exc:
                report.failures.append((aid, exc.message))
        texts, ready = [], []
        for stored in chunk:
            body = stored.article.body
            if len(body) > settings.analysis.analysis_max_chars:
                report.failures.append(
                    (
                        stored.id,
                        f"body too long to analyse ({len(body)} > {settings.analysis.analysis_max_chars} chars)",
                    )
                )
                continue
            texts.append(body)
            ready.append(stored)
        for stored, result in zip(ready, analyse_texts(texts, settings.analysis), strict=True):
            if isinstance(result, AnalysisError):
                report.failures.append((stored.id, result.message))
                continue
            try:
                analysis_store.save(stored.id, stored.article.content_hash, result)
                report.analysed += 1
            except VeracityError as exc:
                report.failures.append((stored.id, exc.message))
        if on_progress:
            on_progress(len(todo[k : k + size]))
    return report


def analyse_stage(store: SqlStore, settings: Settings, ids: Sequence[str]) -> StageResult:
    """The after-ingest stage (veracity/enrich.py): analyse the articles that were stored new or changed."""
    from veracity.enrich import StageResult  # here: enrich lists this stage, so it imports this module

    try:
        report = analyse_articles(store, settings, ids)
    except AnalysisError as exc:  # no model: every article fails for the same reason
        return StageResult(STAGE_NAME, 0, [(aid, exc.message) for aid in ids])
    return StageResult(STAGE_NAME, report.analysed, report.failures)


def analysis_json(store: SqlStore, article_id: str) -> dict[str, Any]:
    """The keys ``show --json`` gains: entities, quotes, claims, loaded_terms (null: not analysed yet)."""
    stored = AnalysisStore(store).load(article_id)
    keys = ("entities", "quotes", "claims", "loaded_terms")
    return {k: (stored[k] if stored is not None else None) for k in keys}


def claim_texts(store: SqlStore, article_id: str, threshold: float | None = None) -> list[str]:
    """The article's check-worthy claims (score >= the threshold) and its quotes' contents, for claim matching.

    ``threshold`` defaults to ``Settings.analysis.claim_threshold`` (environment included).
    """
    if threshold is None:
        threshold = Settings.from_env().analysis.claim_threshold
    return AnalysisStore(store).claims(article_id, threshold)


def loaded_terms(store: SqlStore, article_id: str) -> list[str]:
    """The loaded words the outlet itself used (quoted speech left out), for the verdict's content signal."""
    stored = AnalysisStore(store).load(article_id)
    if stored is None:
        return []
    return [str(t["term"]) for t in stored["loaded_terms"] if not t.get("quoted")]
