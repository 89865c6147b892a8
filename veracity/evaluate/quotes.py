"""Quote attribution on PolNeAR (Newell, Margolin & Ruths, LREC 2018): speakers, cues, content spans.

The data (``polnear_v1.jsonl.gz``, one line per article and annotator) holds gold
attributions with source (speaker), cue and content spans as character offsets into the
article text. Articles annotated by several annotators (the agreement core) are counted
once, with the annotation of the annotator whose id sorts first.

Scoring (no official scorer exists; these are the usual PARC/PolNeAR-style measures):

* a predicted quote **matches** a gold attribution when their content spans overlap; pairs
  are taken one-to-one, largest overlap first;
* **attribution P/R/F1**: matched predictions / all predictions, matched gold / all gold;
* **span F1** (content): characters (whitespace left out) of predicted content inside
  gold content, over all predicted and all gold content characters (the soft, token-level
  measure); **exact F1**: matches whose content equals the gold content after trimming
  spaces and edge punctuation;
* **speaker accuracy**: of matched gold attributions that have a source, the share whose
  predicted speaker span overlaps the gold source (``exact``: equals it after trimming);
  **cue accuracy** likewise for the cue.

The baseline, scored in the same run, is the quotation marks alone: every quoted passage of
four words or more is a quote, its speaker the nearest person named in the same sentence.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from veracity.analysis import nlp
from veracity.analysis.cues import quoted_spans
from veracity.analysis.entities import extract_entities
from veracity.analysis.quotes import Quote, extract_quotes

FILE = "polnear_v1.jsonl.gz"
SPLITS = ("train", "dev", "test")
TRIM = " \t\n\r\u00a0.,;:—–-"
Spans = list[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class Gold:
    source: Spans
    cue: Spans
    content: Spans


@dataclass(frozen=True, slots=True)
class Document:
    doc_id: str
    text: str
    gold: list[Gold]


@dataclass(frozen=True, slots=True)
class Predicted:
    content: tuple[int, int]
    speaker: tuple[int, int] | None
    cue: tuple[int, int] | None


@dataclass
class Counts:
    predicted: int = 0
    gold: int = 0
    matched: int = 0
    exact: int = 0
    pred_chars: int = 0
    gold_chars: int = 0
    overlap_chars: int = 0
    with_source: int = 0
    speaker_ok: int = 0
    speaker_exact: int = 0
    with_cue: int = 0
    cue_ok: int = 0
    documents: int = 0
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class QuoteScores:
    documents: int
    gold: int
    predicted: int
    precision: float
    recall: float
    f1: float
    span_f1: float
    exact_f1: float
    speaker_accuracy: float
    speaker_exact: float
    cue_accuracy: float


def load_documents(data: Path, split: str) -> list[Document]:
    """One document per article of ``split`` (first annotator by id where several annotated it)."""
    path = data / FILE
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}: use one of {', '.join(SPLITS)}")
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found (see the data set's README)")
    chosen: dict[str, dict[str, Any]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if row["split"] != split:
                continue
            kept = chosen.get(row["doc_id"])
            if kept is None or row["annotator"] < kept["annotator"]:
                chosen[row["doc_id"]] = row
    docs = []
    for doc_id in sorted(chosen):
        row = chosen[doc_id]
        gold = [
            Gold(_spans(a["source"]), _spans(a["cue"]), _spans(a["content"]))
            for a in row["attributions"]
            if a["content"]
        ]
        docs.append(Document(doc_id, row["text"], gold))
    return docs


def _spans(pairs: list[list[int]]) -> Spans:
    return [(int(s), int(e)) for s, e in pairs]


def _chars(text: str, spans: Spans) -> set[int]:
    return {i for s, e in spans for i in range(s, e) if not text[i].isspace()}


def _trimmed(text: str, spans: Spans) -> str:
    return " ".join(text[s:e] for s, e in sorted(spans)).strip(TRIM)


def _overlaps(a: tuple[int, int] | None, spans: Spans) -> bool:
    return a is not None and any(a[0] < e and s < a[1] for s, e in spans)


def score_document(text: str, gold: list[Gold], predicted: list[Predicted], counts: Counts) -> None:
    """Add one document's predictions against its gold attributions to ``counts``."""
    counts.documents += 1
    counts.predicted += len(predicted)
    counts.gold += len(gold)
    gold_chars = [_chars(text, g.content) for g in gold]
    pred_chars = [_chars(text, [p.content]) for p in predicted]
    counts.gold_chars += len(set().union(*gold_chars)) if gold_chars else 0
    counts.pred_chars += len(set().union(*pred_chars)) if pred_chars else 0
    all_gold = set().union(*gold_chars) if gold_chars else set()
    all_pred = set().union(*pred_chars) if pred_chars else set()
    counts.overlap_chars += len(all_gold & all_pred)
    pairs = sorted(
        ((len(pc & gc), i, j) for i, pc in enumerate(pred_chars) for j, gc in enumerate(gold_chars) if pc & gc),
        reverse=True,
    )
    used_p: set[int] = set()
    used_g: set[int] = set()
    for _, i, j in pairs:
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        p, g = predicted[i], gold[j]
        counts.matched += 1
        if text[p.content[0] : p.content[1]].strip(TRIM) == _trimmed(text, g.content):
            counts.exact += 1
        if g.source:
            counts.with_source += 1
            counts.speaker_ok += _overlaps(p.speaker, g.source)
            if p.speaker is not None:
                counts.speaker_exact += text[p.speaker[0] : p.speaker[1]].strip(TRIM) == _trimmed(text, g.source)
        if g.cue:
            counts.with_cue += 1
            counts.cue_ok += _overlaps(p.cue, g.cue)


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def finish(counts: Counts) -> QuoteScores:
    precision, recall = _ratio(counts.matched, counts.predicted), _ratio(counts.matched, counts.gold)
    span_p, span_r = _ratio(counts.overlap_chars, counts.pred_chars), _ratio(counts.overlap_chars, counts.gold_chars)
    exact_p, exact_r = _ratio(counts.exact, counts.predicted), _ratio(counts.exact, counts.gold)
    return QuoteScores(
        documents=counts.documents,
        gold=counts.gold,
        predicted=counts.predicted,
        precision=precision,
        recall=recall,
        f1=_f1(precision, recall),
        span_f1=_f1(span_p, span_r),
        exact_f1=_f1(exact_p, exact_r),
        speaker_accuracy=_ratio(counts.speaker_ok, counts.with_source),
        speaker_exact=_ratio(counts.speaker_exact, counts.with_source),
        cue_accuracy=_ratio(counts.cue_ok, counts.with_cue),
    )


def veracity_quotes(doc: Any) -> list[Predicted]:
    """veracity's quotes of a parsed document."""
    return [_predicted(q) for q in extract_quotes(doc, extract_entities(doc))]


def _predicted(q: Quote) -> Predicted:
    speaker = (q.speaker_start, q.speaker_end) if q.speaker_start is not None and q.speaker_end is not None else None
    cue = (q.cue_start, q.cue_end) if q.cue_start is not None and q.cue_end is not None else None
    return Predicted((q.content_start, q.content_end), speaker, cue)


def quote_marks_baseline(doc: Any) -> list[Predicted]:
    """The baseline: quoted passages of 4+ words, speaker the nearest PERSON in the sentence."""
    out = []
    persons = [e for e in doc.ents if e.label_ == "PERSON"]
    for start, end in quoted_spans(doc.text):
        if len(doc.text[start:end].split()) < 4:
            continue
        span = doc.char_span(start, end, alignment_mode="expand")
        sent = span.sent if span is not None else None
        near = [
            p
            for p in persons
            if sent is not None and sent.start <= p.start < sent.end and not start <= p.start_char < end
        ]
        best = min(near, key=lambda p: min(abs(p.start_char - end), abs(start - p.end_char)), default=None)
        out.append(Predicted((start, end), (best.start_char, best.end_char) if best else None, None))
    return out


SYSTEMS: dict[str, Callable[[Any], list[Predicted]]] = {
    "veracity": veracity_quotes,
    "quote marks (baseline)": quote_marks_baseline,
}


def evaluate_quotes(
    data: Path, split: str, tick: Callable[[], None] | None = None, systems: dict[str, Any] | None = None
) -> dict[str, QuoteScores]:
    """Score each system on ``split``; every document is parsed once and shared by the systems."""
    docs = load_documents(data, split)
    chosen = systems or SYSTEMS
    counts = {name: Counts() for name in chosen}
    for document, parsed in zip(docs, _parse(docs), strict=True):
        for name, system in chosen.items():
            try:
                predicted = system(parsed)
            except Exception as exc:  # one document's failure is scored as no predictions
                counts[name].errors[document.doc_id] = repr(exc)
                predicted = []
            score_document(document.text, document.gold, predicted, counts[name])
        if tick:
            tick()
    return {name: finish(c) for name, c in counts.items()}


def _parse(docs: list[Document]) -> Iterator[Any]:
    yield from nlp.parse((d.text for d in docs), batch_size=8)


def scores_json(scores: dict[str, QuoteScores]) -> dict[str, dict[str, Any]]:
    return {name: asdict(s) for name, s in scores.items()}
