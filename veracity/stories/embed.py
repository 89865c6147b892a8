"""The text embedding of the story modules: a static model, loaded once, offline.

The model (``veracity/stories/model/``, 8 MB, see the README there) is all-MiniLM-L6-v2
distilled by model2vec into one 128-dimension vector per WordPiece token
(``scripts/distill_story_model.py`` makes it). An article's embedding is the mean of its
tokens' vectors (the first 512 tokens), L2-normalised: about 1 ms an article on one core,
with numpy, tokenizers and safetensors only (no torch, no network).

Why a static model rather than the transformer: clustering must keep up with ingest on a
laptop, and the measured gain of the full transformer for same-story clustering of whole
articles is small (ECB+ README: MiniLM whole-document embeddings F1 .858 against TF-IDF
.899); the embedding is one of three signals in :mod:`veracity.stories.cluster`, beside
word and entity overlap.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from model2vec import StaticModel

__all__ = ["MODEL_DIR", "Embedder", "embed", "embed_many", "get_embedder"]

MODEL_DIR = Path(__file__).resolve().parent / "model"
Vector = npt.NDArray[np.float32]
Matrix = npt.NDArray[np.float32]


class Embedder:
    """A loaded static embedding model: ``encode(texts) -> (n, dim) float32``, rows of norm 1 (or 0)."""

    def __init__(self, path: Path = MODEL_DIR) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local folder: nothing to fetch, and nothing may be
        from model2vec import StaticModel

        if not (path / "model.safetensors").is_file():
            raise FileNotFoundError(f"story embedding model not found in {path} (scripts/distill_story_model.py)")
        self._model: StaticModel = StaticModel.from_pretrained(str(path))
        self.dim: int = int(self._model.dim)

    def encode(self, texts: Sequence[str]) -> Matrix:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = np.asarray(self._model.encode(list(texts), show_progress_bar=False), dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        unit: Matrix = np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
        return unit


_lock = threading.Lock()
_default: Embedder | None = None


def get_embedder() -> Embedder:
    """The process-wide model, loaded on first use."""
    global _default
    with _lock:
        if _default is None:
            _default = Embedder()
        return _default


def embed(text: str) -> Vector:
    """One text's embedding (norm 1; zeros for a text with no known token)."""
    row: Vector = get_embedder().encode([text])[0]
    return row


def embed_many(texts: Sequence[str]) -> Matrix:
    return get_embedder().encode(texts)
