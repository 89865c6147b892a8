"""How verdicts are shown: the ``verdict`` and ``machine_verdict`` keys of ``show --json`` and the card's label.

The verdict that counts is the latest reviewer's, else a label that came with the input
(``imported``, with its provenance), else the machine's. An article not judged yet gets its
machine verdict computed on the fly (not stored; ``veracity judge`` stores it).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from veracity.settings import Settings
from veracity.store.base import StoredArticle
from veracity.store.sql import SqlStore
from veracity.verdict.store import VerdictRow, VerdictStore


def _imported(stored: StoredArticle) -> dict[str, Any] | None:
    label = stored.article.label
    if not label or label == "Unverified":
        return None
    return {
        "label": label,
        "confidence": None,
        "source": "imported",
        "evidence": [],
        "provenance": {"input": stored.article.source or None, "field": "label"},
    }


def machine_verdict(store: SqlStore, stored: StoredArticle, settings: Settings | None = None) -> dict[str, Any]:
    """The newest stored machine verdict, else one computed now (``"stored": false``)."""
    latest = VerdictStore(store.engine).latest(stored.id)
    if "machine" in latest:
        return {**latest["machine"].to_json(), "stored": True}
    from veracity.verdict.judge import Context, gather
    from veracity.verdict.model import combine

    ctx = Context.open(store, settings or Settings.from_env())
    data = combine(gather(ctx, stored), ctx.params).to_json()
    return {**data, "source": "machine", "version": stored.versions, "stored": False}


def verdict_keys(store: SqlStore, stored: StoredArticle, settings: Settings | None = None) -> dict[str, Any]:
    """``verdict`` (the one that counts) and ``machine_verdict`` for ``show --json`` and the export."""
    machine = machine_verdict(store, stored, settings)
    latest = VerdictStore(store.engine).latest(stored.id)
    verdict = latest["reviewer"].to_json() if "reviewer" in latest else _imported(stored) or machine
    return {"verdict": verdict, "machine_verdict": machine}


def verdict_summary(
    store: SqlStore, stored: StoredArticle, latest: Mapping[str, VerdictRow] | None = None
) -> dict[str, Any]:
    """The verdict that counts, in short (``label``, ``confidence``, ``source``), from stored verdicts only.

    Reviewer's, else imported, else the stored machine verdict, else ``Unverified`` with source
    ``none`` (not judged yet: listing never computes a verdict, ``veracity judge`` does).
    ``latest``: the article's newest verdict of each source, when the caller read them for many
    articles at once (:meth:`VerdictStore.latest_many`).
    """
    if latest is None:
        latest = VerdictStore(store.engine).latest(stored.id)
    if "reviewer" in latest:
        row = latest["reviewer"]
        return {"label": row.label, "confidence": _rounded(row.confidence), "source": "reviewer"}
    imported = _imported(stored)
    if imported:
        return {"label": str(imported["label"]), "confidence": None, "source": "imported"}
    if "machine" in latest:
        row = latest["machine"]
        return {"label": row.label, "confidence": _rounded(row.confidence), "source": "machine"}
    return {"label": "Unverified", "confidence": None, "source": "none"}


def _rounded(confidence: float | None) -> float | None:
    return None if confidence is None else round(confidence, 3)


def effective_label(store: SqlStore, stored: StoredArticle) -> str:
    """The label a card shows: reviewer's, else imported, else the stored machine verdict, else Unverified."""
    return str(verdict_summary(store, stored)["label"])
