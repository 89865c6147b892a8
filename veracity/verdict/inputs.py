"""Adapters: how the verdict reads the other parts, each returning "no evidence" when the part is absent.

The stories, fact-check and analysis parts are built beside this one; each adapter looks
their entry point up by name (``PROVIDERS``) at call time, so the verdict works (with less
evidence) before they are merged, and the lead wires them by setting the names here. A
provider that exists but fails on a database without its tables also counts as absent;
any other error propagates, so real bugs are not hidden.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError, ProgrammingError

from veracity.ratings.formats import outlet_domain
from veracity.store.sources import outlets
from veracity.store.sql import SqlStore
from veracity.verdict.signals import CorroborationLike, MatchLike

# (module, function) of each part's entry point; each takes (store, article_id).
PROVIDERS: dict[str, tuple[str, str]] = {
    "corroboration": ("veracity.stories.corroboration", "corroboration"),  # -> Corroboration | None
    "factchecks": ("veracity.factchecks.match", "matches_for_article"),  # -> list of matches
    "loaded_terms": ("veracity.analysis.pipeline", "loaded_terms"),  # -> list[str]
    "story_members": ("veracity.stories.persist", "story_article_ids"),  # (store, story_id) -> list[str]
}
_ABSENT_TABLES = (OperationalError, ProgrammingError)


def _provider(name: str) -> Callable[..., Any] | None:
    module_name, attr = PROVIDERS[name]
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    func = getattr(module, attr, None)
    return func if callable(func) else None


def _call(name: str, *args: Any) -> Any:
    func = _provider(name)
    if func is None:
        return None
    try:
        return func(*args)
    except _ABSENT_TABLES:  # the part's tables are not there (its migration not applied)
        return None


def corroboration_for(store: SqlStore, article_id: str) -> CorroborationLike | None:
    result: CorroborationLike | None = _call("corroboration", store, article_id)
    return result


def factcheck_matches_for(store: SqlStore, article_id: str) -> Sequence[MatchLike]:
    return list(_call("factchecks", store, article_id) or [])


def loaded_terms_for(store: SqlStore, article_id: str) -> list[str]:
    return [str(t) for t in (_call("loaded_terms", store, article_id) or [])]


def story_members(store: SqlStore, story_id: str) -> list[str]:
    return [str(i) for i in (_call("story_members", store, story_id) or [])]


def outlet_names(store: SqlStore) -> dict[str, str]:
    """Registered outlets' names (case-folded) -> domain: an article that names its outlet but gives no
    domain (a news card: "By Daily Mail") is matched to the outlet's ratings through it."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(outlets.c.name, outlets.c.domain)).all()
    return {str(r.name).casefold(): d for r in rows if (d := outlet_domain(r.domain))}


def outlet_kind(store: SqlStore, domain: str | None) -> str | None:
    """The kind (news, fact-checker, satire, unknown) of a registered outlet with this domain."""
    if not domain:
        return None
    with store.engine.connect() as conn:
        rows = conn.execute(select(outlets.c.domain, outlets.c.kind)).all() if domain else []
    for row in rows:
        if outlet_domain(row.domain) == domain:
            return str(row.kind)
    return None
