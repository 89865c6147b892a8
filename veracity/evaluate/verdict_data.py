"""Readers for the labelled sets the verdict is fitted and evaluated on, as plain ``Doc`` rows.

Every set is read from the shared data folder (never copied into the repository); the
held-out portions each README names are not read at all: CheckThat! ``test2021`` is not in
the file, only ``train`` rows are used (``sample2021`` repeats train ids); FakeNewsNet's
BuzzFeed texts are not in the file; ECB+ test topics are not in the file.

Labels map to the verdict's: CheckThat ``false``/``partially false``/``true``/``other`` ->
Fake/Misleading/Truth/Unverified; FakeNewsAMT+Celebrity ``fake``/``legit`` and FakeNewsNet
``fake``/``real`` -> Fake/Truth.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from veracity.ratings.formats import outlet_domain

CHECKTHAT = {"false": "Fake", "partially false": "Misleading", "true": "Truth", "other": "Unverified"}


@dataclass(frozen=True, slots=True)
class Doc:
    """One labelled article: text, gold label, the group its folds keep together, and its outlet if known."""

    id: str
    title: str
    body: str
    label: str
    group: str
    domain: str | None = None
    url: str | None = None


def _jsonl(path: Path) -> list[dict[str, object]]:
    if not path.is_file():
        raise FileNotFoundError(f"data file not found: {path}")
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())[:2000]


def load_checkthat(data: Path) -> list[Doc]:
    """CheckThat! Task 3 English train (900); groups join rows with the same title+text (duplicates)."""
    docs = []
    groups: dict[str, str] = {}
    for row in _jsonl(data / "checkthat_task3_fakenews" / "ctfan_en.jsonl"):
        if row.get("split") != "train" or row.get("label") not in CHECKTHAT:
            continue
        title, text = str(row.get("title") or ""), str(row.get("text") or "")
        group = groups.setdefault(_key(title + " " + text), str(row["id"]))
        docs.append(Doc(str(row["id"]), title, text, CHECKTHAT[str(row["label"])], group))
    return docs


def load_amt(data: Path) -> list[Doc]:
    """FakeNewsAMT + Celebrity (980); the group is ``dataset/pair_id`` so a fake stays with its legit twin."""
    return [
        Doc(
            str(r["id"]),
            str(r.get("title") or ""),
            str(r.get("text") or ""),
            "Fake" if r["label"] == "fake" else "Truth",
            f"{r['dataset']}/{r['pair_id']}",
        )
        for r in _jsonl(data / "fakenews_amt_celebrity" / "articles.jsonl")
    ]


def load_politifact(data: Path) -> list[Doc]:
    """FakeNewsNet v1 PolitiFact full texts (240 minus empty); the group is the site (host of the URL)."""
    docs = []
    for r in _jsonl(data / "fakenewsnet" / "v1_fulltext" / "news_content.jsonl"):
        if r.get("collection") != "PolitiFact" or not str(r.get("text") or "").strip():
            continue
        url = str(r.get("url") or r.get("source") or "") or None
        domain = outlet_domain(url) if url else None
        docs.append(
            Doc(
                str(r["id"]),
                str(r.get("title") or ""),
                str(r["text"]),
                "Fake" if r["label"] == "fake" else "Truth",
                domain or f"no-site/{r['id']}",
                domain,
                url,
            )
        )
    return docs


def load_ecbplus(data: Path) -> list[Doc]:
    """ECB+ train and dev documents (real reporting: gold label Truth); the group is the sub-topic."""
    docs = []
    for r in _jsonl(data / "ecbplus_story_clusters" / "docs.jsonl"):
        lines = str(r.get("text") or "").split("\n")
        url = str(r["url"]) if r.get("url") else None
        docs.append(
            Doc(
                str(r["doc_id"]),
                lines[0],
                "\n".join(lines[1:]) or lines[0],
                "Truth",
                str(r["subtopic"]),
                outlet_domain(url) if url else None,
                url,
            )
        )
    return docs
