"""The content model: style features and a sentence embedding of the text, and a small logistic regression.

Weak by design. Published work shows text models learn shortcuts (the source, the dateline,
the topic) and lose more than ten points on sites they have not seen, so the combination
gives this model a small weight. It reads generic style (shouting, exclamation, loaded
words, clickbait headlines, attribution, quotes, numbers), five headline features, and the
128-dimension static embedding of title and body that the stories part already uses
(:mod:`veracity.stories.embed`, about 1 ms an article, no vocabulary in the parameters).
Its parameters live in the verdict parameter file (see :mod:`veracity.verdict.model`); a
parameter block without ``embedding`` (the style-only model of earlier files) still works.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from veracity.verdict.signals import Signal

FEATURES = (
    "exclaim", "question_title", "caps_words", "caps_title", "loaded", "clickbait", "second_person",
    "first_person", "quotes", "attribution", "numbers", "log_words", "sentence_len", "superlatives", "title_words",
)  # fmt: skip
HEADLINE = ("title_number", "title_capitalised", "title_quote", "title_chars", "title_loaded")
EMBEDDING = "stories-static-128"  # the name a parameter block gives the embedding its last columns read
EMBED_DIM = 128

# A small general lexicon of loaded, emotive words (the analysis part may add its own flagged terms).
LOADED = frozenset(
    re.findall(
        r"\S+",
        """
    shocking outrageous disgusting horrifying terrifying insane unbelievable incredible stunning
    bombshell explosive slams blasts destroys obliterates eviscerates rips mocks shreds humiliates
    exposed exposes scandal disgrace disgraceful corrupt crooked treason traitor evil radical extremist
    lunatic idiot moron hoax fraud rigged propaganda cover-up coverup sheeple globalist elites regime
    tyranny tyrant catastrophe disaster chaos miracle secret secretly banned censored truth wake
    awakening massive huge epic urgent breaking alert
    """,
    )
)
_CLICKBAIT = re.compile(
    r"(you won'?t believe|what happens next|will blow your mind|this is why|here'?s why|the reason why|"
    r"you need to|must see|must watch|goes viral|breaks the internet|^\d+\s+(things|reasons|ways|times)|"
    r"\bthis one\b|jaw-dropping|\bjust\b.*\b(destroyed|slammed|exposed)\b|!{1,}|\?$)",
    re.I,
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_SENT = re.compile(r"[.!?]+(\s|$)")
_ATTRIB = re.compile(r"\b(said|says|told|according to|stated|announced|reported|spokesm[ae]n|spokesperson)\b", re.I)
_SUPER = re.compile(r"\b(\w+est|most|least|never|always|every|all|ever|totally|completely|absolutely)\b", re.I)
_NUMBER = re.compile(r"\b\d[\d,.]*\b")
_QUOTE = re.compile(r"[\"“”]")


def style_features(title: str, body: str, loaded_terms: Sequence[str] = ()) -> dict[str, float]:
    """The style features of one article, each a rate so that length does not dominate."""
    words = _WORD.findall(body)
    n = max(len(words), 1)
    title_words = _WORD.findall(title)
    lower = [w.lower() for w in words]
    extra = {t.lower() for t in loaded_terms}
    caps = sum(1 for w in words if len(w) >= 3 and w.isupper())
    title_caps = sum(1 for w in title_words if len(w) >= 3 and w.isupper())
    sentences = max(len(_SENT.findall(body)), 1)
    pronouns_2 = sum(1 for w in lower if w in ("you", "your", "yours", "you're"))
    pronouns_1 = sum(1 for w in lower if w in ("i", "we", "our", "us", "my", "me"))
    return {
        "exclaim": 1000 * body.count("!") / max(len(body), 1),
        "question_title": 1.0 if title.strip().endswith("?") else 0.0,
        "caps_words": 100 * caps / n,
        "caps_title": title_caps / max(len(title_words), 1),
        "loaded": 100 * sum(1 for w in lower if w in LOADED or w in extra) / n,
        "clickbait": float(len(_CLICKBAIT.findall(title))),
        "second_person": 100 * pronouns_2 / n,
        "first_person": 100 * pronouns_1 / n,
        "quotes": 100 * len(_QUOTE.findall(body)) / n,
        "attribution": 100 * len(_ATTRIB.findall(body)) / n,
        "numbers": 100 * len(_NUMBER.findall(body)) / n,
        "log_words": math.log1p(len(words)),
        "sentence_len": len(words) / sentences,
        "superlatives": 100 * len(_SUPER.findall(body)) / n,
        "title_words": float(len(title_words)),
    }


@lru_cache(maxsize=1)
def _headline_lexicon() -> re.Pattern[str]:
    """The analysis part's loaded-language lexicon as one regular expression (no spaCy: a headline is short)."""
    from veracity.analysis.loaded import read_lexicon

    forms = sorted((re.escape(f) for f in read_lexicon()), key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(forms) + r")\b", re.I)


def headline_features(title: str) -> dict[str, float]:
    """Clickbait cues of the headline beyond ``style_features``: a leading number, Title Case, quotes, length."""
    title = title.strip()
    words = _WORD.findall(title)
    return {
        "title_number": 1.0 if title[:1].isdigit() else 0.0,
        "title_capitalised": sum(1 for w in words if w[0].isupper()) / max(len(words), 1),
        "title_quote": 1.0 if re.search(r"[\"“”']", title) else 0.0,
        "title_chars": len(title) / 100,
        "title_loaded": float(len(_headline_lexicon().findall(title))),
    }


def embedding_text(title: str, body: str) -> str:
    return f"{title}\n{body}"


def content_features(
    title: str, body: str, params: Mapping[str, Any], loaded_terms: Sequence[str] = ()
) -> dict[str, float]:
    """Every named feature the parameter block reads: style, headline and (when it has one) the embedding."""
    named, embedding = _named_and_embedding(title, body, params, loaded_terms)
    return named | _embedding_names(embedding)


def _named_and_embedding(
    title: str, body: str, params: Mapping[str, Any], loaded_terms: Sequence[str]
) -> tuple[dict[str, float], np.ndarray | None]:
    feats = style_features(title, body, loaded_terms)
    if any(f in params["features"] for f in HEADLINE):
        feats |= headline_features(title)
    if params.get("embedding") != EMBEDDING:
        return feats, None
    from veracity.stories.embed import embed

    return feats, embed(embedding_text(title, body))


_arrays: dict[int, tuple[Mapping[str, Any], dict[str, Any]]] = {}


def _block_arrays(params: Mapping[str, Any]) -> dict[str, Any]:
    """The block's lists as numpy arrays, made once per block (a verdict run judges thousands with one)."""
    hit = _arrays.get(id(params))
    if hit is not None and hit[0] is params:
        return hit[1]
    names: list[str] = list(params["features"])
    tail = [f"emb{i}" for i in range(EMBED_DIM)]
    arrays = {
        "mean": np.asarray(params["mean"], dtype=float),
        "scale": np.asarray(params["scale"], dtype=float),
        "coef": np.asarray(params["coef"], dtype=float),
        "intercept": np.asarray(params["intercept"], dtype=float),
        # the fitted layout (named features, then the embedding in order) takes the vector as it comes
        "named": names[:-EMBED_DIM] if names[-EMBED_DIM:] == tail else None,
    }
    if len(_arrays) > 16:
        _arrays.clear()
    _arrays[id(params)] = (params, arrays)  # the reference keeps the id from being reused
    return arrays


def _logits(x: np.ndarray, params: Mapping[str, Any], arrays: dict[str, Any]) -> dict[str, float]:
    # clip standardised values: one odd page must not move the weak signal far
    z = np.clip((x - arrays["mean"]) / arrays["scale"], -4.0, 4.0)
    scores = arrays["coef"] @ z + arrays["intercept"]
    raw = {c: float(v) for c, v in zip(params["classes"], scores, strict=True)}
    base = raw.get("Truth", 0.0)
    temperature = float(params.get("temperature", 1.0))
    return {c: (v - base) / temperature for c, v in raw.items()}


def content_logits(features: Mapping[str, float], params: Mapping[str, Any]) -> dict[str, float]:
    """Per-class scores of the content model (log-odds against Truth), from its parameter block."""
    x = np.array([features.get(f, 0.0) for f in params["features"]])
    return _logits(x, params, _block_arrays(params))


def _embedding_names(embedding: np.ndarray | None) -> dict[str, float]:
    return {} if embedding is None else {f"emb{i}": float(v) for i, v in enumerate(embedding)}


def content_signal(title: str, body: str, params: Mapping[str, Any], loaded_terms: Sequence[str] = ()) -> Signal:
    """The content model's leaning as a weak signal, with the cues that drove it in its sentence."""
    feats, embedding = _named_and_embedding(title, body, params, loaded_terms)
    arrays = _block_arrays(params)
    if embedding is not None and arrays["named"] is not None:
        x = np.concatenate([[feats.get(f, 0.0) for f in arrays["named"]], embedding])
        logits = _logits(x, params, arrays)
    else:
        logits = content_logits(feats | _embedding_names(embedding), params)
    total = sum(math.exp(v) for v in logits.values())
    probs = {c: math.exp(v) / total for c, v in logits.items()}
    lean = max(probs, key=lambda c: probs[c])
    cues = []
    if feats["loaded"] >= 1.0:
        cues.append(f"loaded words ({feats['loaded']:.1f} per 100)")
    if feats["clickbait"]:
        cues.append("a clickbait-style headline")
    if feats["caps_words"] >= 1.0 or feats["caps_title"] >= 0.3:
        cues.append("shouting in capitals")
    if feats["exclaim"] >= 1.0:
        cues.append("exclamation marks")
    if feats["attribution"] >= 1.0:
        cues.append("attributed statements")
    cue_text = "; cues: " + ", ".join(cues) if cues else ""
    sentence = f"The style of the text leans {lean} ({probs[lean]:.0%}), a weak signal by design{cue_text}."
    features = {"content_fake": logits.get("Fake", 0.0), "content_misleading": logits.get("Misleading", 0.0)}
    flagged = [t for t in loaded_terms][:10]
    details = {"probabilities": {c: round(p, 3) for c, p in probs.items()}, "loaded_terms": flagged}
    return Signal("content", sentence, bool(body.strip()), features, details=details)
