"""The verdict: Truth, Misleading, Fake or Unverified, with its evidence and a calibrated confidence.

``signals`` (plain functions over plain values), ``content`` (the weak style model), ``model``
(the combination and abstention), ``inputs`` (adapters that read the other parts, returning
"no evidence" when a part is absent), ``store`` (verdict history), ``judge`` (the stage,
re-judging, reviews). Model card: docs/verdict-model.md.
"""
