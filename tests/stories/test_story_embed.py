"""The static embedding loads offline from the package and places related texts nearer."""

from __future__ import annotations

import numpy as np

from veracity.stories.embed import MODEL_DIR, embed, embed_many, get_embedder


def test_model_is_small_and_loads_once() -> None:
    size = sum(p.stat().st_size for p in MODEL_DIR.iterdir() if p.is_file())
    assert size < 15_000_000
    assert get_embedder() is get_embedder()
    assert get_embedder().dim == 128


def test_embeddings_are_unit_vectors_and_related_texts_are_closer() -> None:
    a, b, c = embed_many(
        [
            "An earthquake shook the California coast, damaging homes.",
            "A strong quake rattled northern California and knocked out power.",
            "The central bank raised interest rates to fight inflation.",
        ]
    )
    assert np.allclose([np.linalg.norm(a), np.linalg.norm(b), np.linalg.norm(c)], 1.0, atol=1e-5)
    assert float(a @ b) > float(a @ c) + 0.1
    assert embed("quake").shape == (128,)
    assert embed_many([]).shape == (0, 128)
