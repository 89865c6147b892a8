"""The verdict with its strongest evidence: benchmark articles matched against prior fact-checks.

``veracity evaluate verdicts --data ../shared/data --kb`` adds these runs to the verdict's
evaluation (docs/evaluation.md, "Verdicts"). The knowledge base is the PolitiFact ClaimReview
set of the data folder (``claimreview_politifact_derived``), imported through veracity's own
importer and rating normaliser into a scratch SQLite store; every benchmark article is stored
there and goes through the shipped after-ingest stages, analysis (check-worthy claims and
quotes) and claim matching (:func:`veracity.factchecks.match.match_articles`), so the verdict's
fact-check signal gets the matches ingest would give it.

The scratch store is the cache (``--cache``, default ``/tmp/veracity-verdict-evidence``): the
analysis (about 150 ms an article) and the matching run once per article. It lives in a
sub-folder named after a fingerprint of what decides them (the shipped analysis and ranking
models, the story encoder, the analysis and fact-check settings), so a changed model is never
scored with an older model's stale claims or matches. Matches are stored
down to :data:`SCAN_THRESHOLD`; the runs keep those at the shipped ``match_threshold`` unless a
threshold is fitted (inside training folds only).

Time: the PolitiFact records carry no review date (``datePublished``), so the importer leaves
it empty; here a fact-check's date is the one in its review URL (``/factchecks/2019/oct/30/``),
else its claim's date. A match to a fact-check dated after a dated article is labelled
``published_after_article``; CheckThat! and ECB+ articles have no date, so none of theirs can be.
A fact-check whose review URL is the article's own URL or occurs in its text is the article's
own fact-check (``same_url``): the runs are reported with and without such matches.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from veracity.article import Article, Block, Outlet
from veracity.evaluate.verdict_data import Doc
from veracity.evaluate.verdicts import Ratings
from veracity.factchecks.claimreview import FactCheck
from veracity.factchecks.store import FactCheckStore
from veracity.settings import Settings
from veracity.store.sql import SqlStore, open_store

KB_FILE = "claimreview_politifact_derived/politifact_claimreview.jsonl.gz"
DEFAULT_CACHE = Path("/tmp/veracity-verdict-evidence")
SCAN_THRESHOLD = 0.5  # matches stored down to this, so a fitted threshold can be tried below the shipped 0.77
_MONTHS = {
    m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
}
_URL_DATE = re.compile(r"/(\d{4})/([a-z]{3})[a-z]*/(\d{1,2})/")
_PSEUDO = "https://bench.invalid"


@dataclass(slots=True)  # not frozen: the MatchLike protocol declares plain attributes
class FoundMatch:
    """A stored match of one article claim to a fact-check, as the verdict's signal reads it (``MatchLike``)."""

    score: float
    rating: str
    rating_value: float | None
    publisher: str
    url: str
    published_after_article: bool
    same_url: bool
    claim: str
    factcheck_claim: str


def factcheck_date(fc: FactCheck) -> datetime | None:
    """The review date, else the date in the review URL's path, else the claim's date."""
    if fc.review_date:
        return fc.review_date
    found = _URL_DATE.search((fc.review_url or "").lower())
    if found and found.group(2)[:3] in _MONTHS:
        try:
            return datetime(int(found.group(1)), _MONTHS[found.group(2)[:3]], int(found.group(3)))
        except ValueError:
            pass
    return fc.claim_date


def _url_key(url: str | None) -> str:
    return re.sub(r"^https?://(www\.)?", "", (url or "").strip().lower()).rstrip("/")


def article_for(doc: Doc, set_name: str, published: datetime | None) -> Article:
    """The benchmark row as an article; its key is a made-up URL per row so every row is stored apart."""
    paragraphs = [p.strip() for p in doc.body.split("\n") if p.strip()] or [doc.title or "(empty)"]
    return Article(
        title=doc.title,
        blocks=tuple(Block(p) for p in paragraphs),
        outlet=Outlet(set_name, doc.domain),
        url=f"{_PSEUDO}/{set_name}/{doc.id}",
        published=published,
        source=f"{set_name}#{doc.id}",
    )


def fingerprint(settings: Settings) -> str:
    """A short hash of the files and settings that decide an article's analysis and matches."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(repr((settings.analysis, settings.factchecks)).encode())
    for rel in ("analysis/model", "analysis/lexicon", "factchecks/ranker.json", "stories/model"):
        path = root / rel
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file():
                digest.update(file.relative_to(root).as_posix().encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


class EvidenceCache:
    """The scratch store: the knowledge base imported once, each article analysed and matched once."""

    def __init__(self, data: Path, cache: Path = DEFAULT_CACHE, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        cache = cache / fingerprint(self.settings)
        cache.mkdir(parents=True, exist_ok=True)
        self.scan = replace(self.settings, factchecks=replace(self.settings.factchecks, match_threshold=SCAN_THRESHOLD))
        self.store: SqlStore = open_store(f"sqlite:///{cache / 'evidence.sqlite'}")
        self.kb = FactCheckStore(self.store.engine)
        self.done_file = cache / "matched-headline.json"  # a new name when what is matched changes
        self.kb_file = data / KB_FILE
        self.imported = self._import()

    def _import(self) -> dict[str, int]:
        from veracity.factchecks.importer import Importer

        if self.kb.count() == 0:
            if not self.kb_file.is_file():
                raise FileNotFoundError(f"data file not found: {self.kb_file}")
            report = Importer(self.kb, self.settings).run([str(self.kb_file)])
            if report.failures:
                raise ValueError(f"knowledge base import failed: {report.failures[:3]}")
        return {"factchecks": self.kb.count()}

    def _done(self) -> dict[str, str]:
        if self.done_file.is_file():
            done: dict[str, str] = json.loads(self.done_file.read_text(encoding="utf-8"))
            return done
        return {}

    def matches(
        self,
        docs: Sequence[Doc],
        set_name: str,
        dates: Mapping[str, datetime] | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> dict[str, list[FoundMatch]]:
        """Doc id -> its matches (scoring >= ``SCAN_THRESHOLD``), analysing and matching what is not cached."""
        from veracity.analysis.pipeline import analyse_articles
        from veracity.factchecks.match import Matcher, match_articles

        say = progress or (lambda _m: None)
        dates = dates or {}
        ids: dict[str, str] = {}
        for doc in docs:
            article = article_for(doc, set_name, dates.get(doc.id))
            self.store.upsert(article, seen_at=datetime(2100, 1, 1))  # undated: nothing is "after" it
            ids[doc.id] = article.id
        report = analyse_articles(self.store, self.settings, list(ids.values()))
        say(f"{set_name}: analysed {report.analysed}, cached {report.unchanged}, failed {len(report.failures)}")
        done = self._done()
        todo = [aid for aid in ids.values() if done.get(aid) != self.store.get(aid).article.content_hash]
        if todo:
            say(f"{set_name}: matching {len(todo)} articles against {self.imported['factchecks']} fact-checks")
            matcher = Matcher.from_store(self.kb, self.scan.factchecks)
            for k in range(0, len(todo), 50):
                chunk = todo[k : k + 50]
                result = match_articles(self.store, self.scan, chunk, matcher)
                if result.failures:
                    raise ValueError(f"matching failed: {result.failures[:3]}")
                for aid in chunk:
                    done[aid] = self.store.get(aid).article.content_hash
                self.done_file.write_text(json.dumps(done), encoding="utf-8")
        return {doc.id: self._found(doc, ids[doc.id], dates.get(doc.id)) for doc in docs}

    def _found(self, doc: Doc, article_id: str, published: datetime | None) -> list[FoundMatch]:
        text = (doc.title + "\n" + doc.body).lower()
        own = _url_key(doc.url)
        out = []
        for m in self.kb.matches(article_id):
            fc = m.factcheck
            when = factcheck_date(fc)
            key = _url_key(fc.review_url)
            out.append(
                FoundMatch(
                    score=m.score,
                    rating=fc.rating.label,
                    rating_value=fc.rating.score,
                    publisher=fc.publisher or fc.publisher_site or "a fact-checker",
                    url=fc.review_url or "",
                    published_after_article=bool(published and when and when > published),
                    same_url=bool(key) and (key == own or key in text),
                    claim=m.claim,
                    factcheck_claim=fc.claim,
                )
            )
        return out


def kept(
    found: Iterable[FoundMatch], threshold: float, *, same_url: bool = True, after: bool = True
) -> list[FoundMatch]:
    """The matches a run uses: at least ``threshold``; without the article's own fact-check or later ones if asked."""
    return [
        m
        for m in found
        if m.score >= threshold and (same_url or not m.same_url) and (after or not m.published_after_article)
    ]


def politifact_dates(data: Path) -> dict[str, datetime]:
    """FakeNewsNet v1 PolitiFact articles' publication dates (``publish_date``, epoch milliseconds), by id."""
    out: dict[str, datetime] = {}
    path = data / "fakenewsnet" / "v1_fulltext" / "news_content.jsonl"
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            value = (row.get("publish_date") or {}).get("$date") if isinstance(row.get("publish_date"), dict) else None
            if isinstance(value, (int, float)):
                out[str(row["id"])] = datetime.fromtimestamp(value / 1000, UTC).replace(tzinfo=None)
    return out


# -- scoring ------------------------------------------------------------------------------------


def implied_label(found: Sequence[FoundMatch]) -> str:
    """The label the closest rated match implies on the verdict's scale (false and mostly-false: Fake)."""
    rated = [m for m in found if m.rating_value is not None]
    if not rated:
        return "Unverified"
    value = max(rated, key=lambda m: m.score).rating_value or 0.0
    return "Fake" if value <= 0.25 else "Truth" if value >= 0.75 else "Misleading"


def match_figures(
    docs: Sequence[Doc], found: Mapping[str, list[FoundMatch]], threshold: float, dated: int
) -> dict[str, Any]:
    """How many articles found a match, how many only later or own fact-checks, and how right the implied label is.

    ``dated``: how many of ``docs`` have a publication date (only those can have a later fact-check).
    """
    matched = [d for d in docs if kept(found[d.id], threshold)]
    rated = [d for d in matched if implied_label(kept(found[d.id], threshold)) != "Unverified"]
    right = [d for d in rated if implied_label(kept(found[d.id], threshold)) == d.label]
    prior = [d for d in docs if kept(found[d.id], threshold, after=False)]
    own = [d for d in docs if any(m.same_url for m in kept(found[d.id], threshold))]
    by_gold: dict[str, list[int]] = {}
    for d in docs:
        row = by_gold.setdefault(d.label, [0, 0])
        row[0] += 1
        row[1] += d in matched
    return {
        "threshold": threshold,
        "articles": len(docs),
        "matched": len(matched),
        "coverage": len(matched) / max(len(docs), 1),
        "matched_rated": len(rated),
        "implied_accuracy": len(right) / len(rated) if rated else float("nan"),
        "dated_articles": dated,
        "matched_with_prior_factcheck": len(prior),
        "matched_same_url": len(own),
        "coverage_by_gold": {k: v[1] / v[0] for k, v in sorted(by_gold.items())},
        "implied_vs_gold": _pairs([(d.label, implied_label(kept(found[d.id], threshold))) for d in matched]),
    }


def _pairs(rows: Iterable[tuple[str, str]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for gold, pred in rows:
        key = f"{gold}->{pred}"
        counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def evaluate_kb(
    data: Path, ratings: Ratings, cache: Path = DEFAULT_CACHE, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Every figure of the runs with the knowledge base (see the module docstring)."""
    import numpy as np

    from veracity.evaluate.verdict_data import load_checkthat, load_ecbplus, load_politifact
    from veracity.evaluate.verdict_evidence_fit import kb_cross_validate
    from veracity.evaluate.verdicts import ece, scores, signals_for
    from veracity.verdict.model import combine, load_params

    say = progress or (lambda _m: None)
    store = EvidenceCache(data, cache)
    threshold = store.settings.factchecks.match_threshold
    out: dict[str, Any] = {"kb": {**store.imported, "file": KB_FILE, "match_threshold": threshold}}
    pooled: dict[str, tuple[list[Any], list[Any]]] = {"kb_prior": ([], []), "kb_fitted": ([], [])}
    sets = {
        "checkthat": (load_checkthat, ("Truth", "Misleading", "Fake", "Unverified"), None),
        "politifact_by_site": (load_politifact, ("Truth", "Fake"), politifact_dates(data)),
    }
    for name, (loader, labels, dates) in sets.items():
        say(f"{name} with the fact-check knowledge base")
        docs = loader(data)
        found = store.matches(docs, name, dates, say)
        cv = kb_cross_validate(docs, found, ratings, labels, threshold)
        gold = [d.label for d in docs]
        result: dict[str, Any] = {run: scores(gold, p, labels) for run, p in cv["pred"].items()}
        dated = sum(1 for d in docs if d.id in (dates or {}))
        result["matches"] = {
            str(t): match_figures(docs, found, t, dated) for t in (0.5, 0.6, 0.7, threshold, 0.85, 0.9)
        }
        result["chosen_per_fold"] = cv["chosen"]
        result["n"] = len(docs)
        result["chosen_threshold_per_fold"] = cv["chosen_threshold"]
        for run, (confs, rights) in pooled.items():
            decided = np.array([p != "Unverified" for p in cv["pred"][run]])
            correct = np.array([g == p for g, p in zip(gold, cv["pred"][run], strict=True)])
            confs.append(cv["confidence"][run][decided])
            rights.append(correct[decided])
        out[name] = result
    out["calibration"] = {}
    for run, (confs, rights) in pooled.items():
        value, points = ece(np.concatenate(confs), np.concatenate(rights))
        out["calibration"][run] = {"ece_decided": value, "n": int(sum(len(c) for c in confs)), "points": points}
    say("ecbplus with the fact-check knowledge base")
    docs = load_ecbplus(data)
    found = store.matches(docs, "ecbplus", None, say)
    params = dict(load_params())
    labels_out = [combine(signals_for(d, params, ratings, kept(found[d.id], threshold)), params).label for d in docs]
    out["real_reporting"] = {
        "documents": len(docs),
        "matched": sum(1 for d in docs if kept(found[d.id], threshold)),
        "fake_rate": labels_out.count("Fake") / len(docs),
        "labels": {k: labels_out.count(k) for k in ("Truth", "Misleading", "Fake", "Unverified")},
    }
    return out


RUNS = (
    ("no_kb", "verdict, no knowledge base (as before)"),
    ("implied", "closest match's rating alone"),
    ("kb_prior", "verdict + PolitiFact KB, prior weights"),
    ("kb_fitted", "verdict + KB, weights fitted per fold"),
    ("kb_fitted_no_own", "  same, article's own fact-check left out"),
    ("kb_fitted_prior_only", "  same, later fact-checks left out"),
    ("kb_fitted_threshold", "  same, match threshold chosen per fold too"),
)


def format_kb_report(r: Mapping[str, Any]) -> list[str]:
    kb = r["kb"]
    lines = [f"with the fact-check knowledge base ({kb['factchecks']} PolitiFact fact-checks, {kb['file']};"
             f" match threshold {kb['match_threshold']}):"]  # fmt: skip
    for name in ("checkthat", "politifact_by_site"):
        s = r[name]
        m = s["matches"][str(kb["match_threshold"])]
        lines.append(
            f"{name} (n={s['n']}): {m['matched']} articles matched ({m['coverage']:.3f}), the closest match's rating"
            f" right on {m['implied_accuracy']:.3f} of {m['matched_rated']} rated; {m['matched_same_url']} matched"
            f" their own fact-check (same URL); {m['dated_articles']} dated, "
            + (
                f"{m['matched_with_prior_factcheck']} matched a fact-check older than the article"
                if m["dated_articles"]
                else "so no match can be labelled later than the article"
            )
        )
        for run, title in RUNS:
            v = s[run]
            lines.append(
                f"  {title:45} macro-F1 {v['macro_f1']:.3f} accuracy {v['accuracy']:.3f}"
                f" coverage {v['coverage']:.3f} acc@decided {v['accuracy_decided']:.3f}"
            )
        lines.append("  chosen per fold (scale, fc_false->Misleading, abstain, temperature): "
                     + "; ".join(_chosen(c) for c in s["chosen_per_fold"]))  # fmt: skip
        lines.append("  with the threshold: " + "; ".join(_chosen(c) + f" t={c['threshold']}"
                                                          for c in s["chosen_threshold_per_fold"]))  # fmt: skip
    for run, cal in r["calibration"].items():
        lines.append(f"calibration of the verdict's confidence ({run}): ECE {cal['ece_decided']:.3f} over {cal['n']}"
                     " decided out-of-fold verdicts, both sets pooled (goal <= 0.05)")  # fmt: skip
    rr = r["real_reporting"]
    lines.append(
        f"real reporting with the KB (ECB+, n={rr['documents']}, {rr['matched']} matched): Fake rate"
        f" {rr['fake_rate']:.4f} (goal <= 0.01); labels {rr['labels']}"
    )
    return lines


def _chosen(c: Mapping[str, float]) -> str:
    return f"{c['scale']:g}/{c['fc_false_misleading']:g}/{c['abstain_below']:g}/{c['temperature']:.2f}"
