"""Analysis of an article: named entities, quotes with speakers, check-worthy claims, loaded language.

* :mod:`veracity.analysis.nlp`: the spaCy pipeline (loaded once);
* :mod:`veracity.analysis.entities`: PERSON/ORG/GPE/LOC mentions with offsets and canonical names;
* :mod:`veracity.analysis.quotes` (+ ``cues``, ``speakers``): direct and reported speech, cue, speaker;
* :mod:`veracity.analysis.checkworthy`: sentence check-worthiness scores (shipped weights);
* :mod:`veracity.analysis.loaded`: loaded terms from the authored lexicon;
* :mod:`veracity.analysis.store`: the tables (migration 0004); :mod:`veracity.analysis.pipeline`:
  the after-ingest stage, ``veracity analyse``, ``show --json`` keys and ``claim_texts``.

Import the submodules; this package imports nothing heavy so that ``veracity --help`` stays fast.
"""
