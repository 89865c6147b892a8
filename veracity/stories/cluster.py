"""Incremental same-story assignment: which story does a new article belong to?

``StoryIndex.assign(doc_id, text, entities=None, published=None) -> story_id`` puts each
article, as it arrives, into an existing story or a new one. Three signals decide, each
an *average link* (the mean similarity of the article to the story's articles):

* **words**: TF-IDF cosine over content words (stop words dropped, sublinear counts);
* **entities**: TF-IDF cosine over named-entity keys: capitalised words the article never
  writes in lower case, and numbers (:func:`veracity.stories.text.entity_keys`), or the
  caller's own entities when it passes them. This is what keeps two earthquakes in one
  region apart: they share the region's names but not the towns, magnitudes, tolls and
  days;
* **embedding**: cosine of the static MiniLM embedding (:mod:`veracity.stories.embed`),
  centred on the running mean of all articles (a static model's vectors share a large
  common component).

``score = (w_words * words + w_entities * entities + w_embedding * embedding) / sum(w)``
(an article or story with no entity key is scored on the other two, or on words alone);
the article joins the best-scoring candidate story when ``score >= threshold`` and
``score >= cohesion_ratio`` x the story's *cohesion* (the mean similarity between two of
its own articles: a tight story asks more of a newcomer than a loose one), else it starts
a story of its own. For unit vectors, the mean cosine to a story's articles is the dot
product with the sum of their vectors divided by their number, so a story keeps one
summed vector per signal, the average link costs one sparse dot product and the cohesion
one more. Words of the first ``lead_lines`` lines (headline, lead) count ``1 + lead_boost``
times.

**Tuned weights.** On the ECB+ training topics the best weights put everything on the
entities (``w_entities = 1``, words and embedding 0): every mix with words or the
embedding scored lower (B-cubed F1 0.86-0.88 against 0.89), because the two stories of a
topic share their vocabulary and their subject, which is what words and a static
embedding see, and differ in names, places and figures. The embedding is still what finds
the candidates (below), and the weights are parameters.

**Time window**: when the article and the story both have dates, a story whose reports
lie more than ``window_days`` before or after the article is not a candidate (an article
with no date, like every ECB+ document, is compared on text alone).

**Candidates** (so that assignment time does not grow with the index): the stories of the
article's ``neighbours`` nearest articles by embedding, from a usearch HNSW index
(logarithmic search), plus the stories most recently seen with each of the article's five
rarest entities (bounded posting lists). Only those are scored.

**Copies**: with ``use_neardup`` (default), an article that is an exact or near copy of an
indexed one (:class:`veracity.stories.neardup.NearDupIndex`) joins that article's story
directly; the copies are kept (:meth:`StoryIndex.copies_of`).

**Merges**: when an article scores above the threshold with several stories, those
stories are compared with each other (the same score, story to story); any pair scoring
``>= merge_threshold`` is merged, the smaller story into the larger (on a tie, the newer
into the older). A story's id is its first article's id, so ids survive a rebuild; a
merged story's id keeps resolving to the story it went into, and :attr:`StoryIndex.merges`
lists every merge in order.

**Re-clustering** (what keeps two events of one topic apart when their reports arrive
interleaved): each time a story takes an article, its last ``split_window`` articles are
clustered again and a part that is another story leaves it: :mod:`veracity.stories.recluster`.

**IDF**: document frequencies are counted as articles arrive. Early weights are poor, so
until ``idf_refresh_until`` articles the index keeps each article's term counts and
re-weights every story when the number of articles doubles (16, 32, ... 4096); after
that, the weights in place stay and new articles use the current frequencies.

**Rebuilding**: the state is a function of the articles and their order only (no clock,
no randomness), so feeding the stored articles in their order of arrival rebuilds the
same stories: :meth:`StoryIndex.rebuild`.

The default parameters were tuned on the ECB+ training topics (``scripts/tune_stories.py``);
the figures are those of ``python -m veracity.evaluate.stories``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

import numpy as np
import numpy.typing as npt

from veracity.stories.embed import Embedder, get_embedder
from veracity.stories.neardup import Match, NearDupIndex
from veracity.stories.recluster import Reclustering
from veracity.stories.text import content_words, entity_keys
from veracity.stories.values import (
    Floats,
    Ids,
    Merge,
    SparseVector,
    Split,
    StoryInfo,
    StoryParams,
    _counter,
    _DocTerms,
    _gap,
    _Story,
    _Terms,
    _utc_naive,
)

__all__ = ["Merge", "SparseVector", "Split", "StoryIndex", "StoryInfo", "StoryParams"]


class StoryIndex(Reclustering):
    """Stories built incrementally from articles; see the module's documentation."""

    def __init__(self, params: StoryParams | None = None, *, embedder: Embedder | None = None) -> None:
        from usearch.index import Index

        self.params = params or StoryParams()
        self._embedder = embedder or get_embedder()
        self._ann = Index(ndim=self._embedder.dim, metric="cos", dtype="f16", connectivity=16)
        self._vocab: dict[str, int] = {}
        self._df = np.zeros(1024, dtype=np.int64)
        self._n_docs = 0
        self._next_refresh = 16
        self._doc_story: dict[str, str] = {}
        self._doc_key: dict[str, int] = {}
        self._key_doc: list[str] = []
        self._doc_terms: dict[str, _Terms] | None = {}
        self._stories: dict[str, _Story] = {}
        self._merged_into: dict[str, str] = {}
        self._postings: dict[int, list[str]] = {}
        self._emb_total = np.zeros(self._embedder.dim, dtype=np.float64)
        self._copies: dict[str, list[Match]] = {}
        self._neardup = NearDupIndex() if self.params.use_neardup else None
        self.merges: list[Merge] = []
        self.splits: list[Split] = []
        self._doc_kept: dict[str, _DocTerms] = {}

    # -- public API ----------------------------------------------------------------

    def __getstate__(self) -> dict[str, object]:
        """The index as picklable state: the ANN graph as bytes, the embedding model left out."""
        state = {k: v for k, v in self.__dict__.items() if k not in ("_ann", "_embedder")}
        saved = self._ann.save()
        assert saved is not None  # save() without a path returns the buffer
        state["_ann_bytes"] = bytes(saved)
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        from usearch.index import Index

        state = dict(state)
        saved = state.pop("_ann_bytes")
        assert isinstance(saved, bytes)
        ann = Index.restore(saved)
        if ann is None:
            raise ValueError("the story index snapshot holds no ANN index")
        self.__dict__.update(state)
        self._ann = ann
        self._embedder = get_embedder()

    def __len__(self) -> int:
        """The number of articles indexed."""
        return len(self._doc_story)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._doc_story

    @property
    def n_stories(self) -> int:
        return len(self._stories)

    def assign(
        self,
        doc_id: str,
        text: str,
        entities: Iterable[str] | None = None,
        published: datetime | None = None,
        *,
        embedding: npt.NDArray[np.float32] | None = None,
    ) -> str:
        """The story of article ``doc_id``: an existing one it joins, or a new one it starts.

        An id already indexed keeps its story (a re-run, a new version). ``entities``, when
        given, replace the capitalisation heuristic; ``published`` (UTC; naive is taken as
        UTC) enables the time window; ``embedding`` saves computing it (``assign_many``).
        """
        if doc_id in self._doc_story:
            return self.story_of(doc_id)
        published = _utc_naive(published)
        terms = self._count_terms(text, entities)
        if embedding is None:
            embedding = self._embedder.encode([text])[0]
        vector = np.asarray(embedding, dtype=np.float32)
        self._emb_total += vector

        copy_story = None
        if self._neardup is not None:
            copies = self._neardup.add(doc_id, text)
            if copies:
                self._copies[doc_id] = copies
                copy_story = self.story_of(copies[0].other_id)
        words, ents = self._weigh(terms)

        if copy_story is not None and self._in_window(self._stories[copy_story], published):
            story_id = copy_story
            bridged: list[str] = []
        else:
            scored = [
                (score, sid)
                for score, sid in self._score_candidates(vector, words, ents, published)
                if self._accepts(score, self._stories[sid])
            ]
            story_id = scored[0][1] if scored else ""
            bridged = [sid for _, sid in scored[1:]]

        if not story_id:
            story_id = doc_id
            self._stories[story_id] = _Story.new(story_id, self._n_docs, self._embedder.dim)
        story = self._stories[story_id]
        self._add_member(story, doc_id, words, ents, vector, published)
        self._index_doc(doc_id, vector, story_id, terms)
        self._keep_terms(doc_id, terms, published)
        for other in bridged:
            story = self._maybe_merge(story, other, doc_id)
        if self.params.split_threshold > 0:
            self._maybe_split(story, doc_id)
        return self.story_of(doc_id)

    def assign_many(self, items: Iterable[tuple[str, str, datetime | None]], batch_size: int = 256) -> dict[str, str]:
        """Assign (doc_id, text, published) items in order, embedding them in batches; id -> story id."""
        out: dict[str, str] = {}
        batch: list[tuple[str, str, datetime | None]] = []

        def flush() -> None:
            vectors = self._embedder.encode([text for _, text, _ in batch])
            for (doc_id, text, published), vector in zip(batch, vectors, strict=True):
                out[doc_id] = self.assign(doc_id, text, published=published, embedding=vector)
            batch.clear()

        for item in items:
            batch.append(item)
            if len(batch) >= batch_size:
                flush()
        if batch:
            flush()
        return {doc_id: self.story_of(doc_id) for doc_id in out}

    @classmethod
    def rebuild(
        cls, items: Iterable[tuple[str, str, datetime | None]], params: StoryParams | None = None
    ) -> StoryIndex:
        """A new index fed the stored articles (doc_id, text, published) in their order of arrival."""
        index = cls(params)
        index.assign_many(items)
        return index

    def story_of(self, doc_id: str) -> str:
        """The current story of an indexed article (following merges)."""
        return self.resolve(self._doc_story[doc_id])

    def resolve(self, story_id: str) -> str:
        """The story a (possibly merged) story id now stands for."""
        path = []
        while story_id in self._merged_into:
            path.append(story_id)
            story_id = self._merged_into[story_id]
        for sid in path:  # path compression: later look-ups are one step
            self._merged_into[sid] = story_id
        return story_id

    def story(self, story_id: str) -> StoryInfo:
        s = self._stories[self.resolve(story_id)]
        return StoryInfo(s.id, tuple(s.members), s.first, s.last, tuple(s.merged))

    def stories(self) -> list[StoryInfo]:
        """Every current story, oldest first."""
        return [self.story(sid) for sid in sorted(self._stories, key=lambda sid: self._stories[sid].seq)]

    def labels(self) -> dict[str, str]:
        """Every indexed article's current story id."""
        return {doc_id: self.story_of(doc_id) for doc_id in self._doc_story}

    def copies_of(self, doc_id: str) -> list[Match]:
        """The exact and near copies found among earlier articles when ``doc_id`` was assigned."""
        return list(self._copies.get(doc_id, ()))

    # -- features ------------------------------------------------------------------

    def _term_ids(self, counts: Mapping[str, int], prefix: str) -> tuple[Ids, Floats]:
        ids = []
        for term in counts:
            key = prefix + term
            tid = self._vocab.get(key)
            if tid is None:
                tid = self._vocab[key] = len(self._vocab)
            ids.append(tid)
        arr = np.asarray(ids, dtype=np.int32)
        tf = 1.0 + np.log(np.asarray(list(counts.values()), dtype=np.float32))
        order = np.argsort(arr)
        return arr[order], tf[order].astype(np.float32)

    def _count_terms(self, text: str, entities: Iterable[str] | None) -> _Terms:
        phrases = self.params.entity_phrases
        ents = entity_keys(text, phrases) if entities is None else _counter(e.casefold() for e in entities)
        words = content_words(text)
        if self.params.lead_boost:
            lead = "\n".join([line for line in text.split("\n") if line.strip()][: self.params.lead_lines])
            for key, extra in content_words(lead).items():
                words[key] += round(self.params.lead_boost * extra)
            lead_ents = entity_keys(lead, phrases) if entities is None else {}
            for key, extra in lead_ents.items():
                if key in ents:
                    ents[key] += round(self.params.lead_boost * extra)
        word_ids, word_tf = self._term_ids(words, "w:")
        entity_ids, entity_tf = self._term_ids(ents, "e:")
        if len(self._vocab) > len(self._df):
            self._df = np.concatenate([self._df, np.zeros(max(len(self._vocab), len(self._df)), dtype=np.int64)])
        self._df[word_ids] += 1
        self._df[entity_ids] += 1
        self._n_docs += 1
        return _Terms(word_ids, word_tf, entity_ids, entity_tf, np.zeros(0, dtype=np.float32))

    def _idf(self, ids: Ids) -> Floats:
        result: Floats = (np.log((1.0 + self._n_docs) / (1.0 + self._df[ids])) + 1.0).astype(np.float32)
        return result

    def _unit(self, ids: Ids, tf: Floats) -> SparseVector:
        vals = tf * self._idf(ids)
        norm = float(np.linalg.norm(vals))
        return SparseVector(ids, (vals / norm).astype(np.float32) if norm > 0 else vals)

    def _weigh(self, terms: _Terms) -> tuple[SparseVector, SparseVector]:
        return self._unit(terms.word_ids, terms.word_tf), self._unit(terms.entity_ids, terms.entity_tf)

    # -- scoring -------------------------------------------------------------------

    def _mean_embedding(self) -> npt.NDArray[np.float64]:
        return self._emb_total / max(self._n_docs, 1)

    def _centre(self, vector: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """The embedding minus the running mean of all articles', renormalised."""
        x = (vector - self._mean_embedding()).astype(np.float32)
        norm = float(np.linalg.norm(x))
        return x / norm if norm > 0 else x

    def _combine(self, words: float, entities: float | None, embedding: float) -> float:
        p = self.params
        if entities is None:  # no entity key on one side: words (and the embedding, if weighted) decide
            if p.word_weight + p.embedding_weight <= 0:
                return words
            return (p.word_weight * words + p.embedding_weight * embedding) / (p.word_weight + p.embedding_weight)
        total = p.word_weight + p.entity_weight + p.embedding_weight
        return (p.word_weight * words + p.entity_weight * entities + p.embedding_weight * embedding) / total

    def _score_story(
        self, story: _Story, centred: npt.NDArray[np.float32], words: SparseVector, ents: SparseVector
    ) -> float:
        s_words = words.dot(story.words) / story.n
        s_ents = ents.dot(story.entities) / story.n if len(ents.ids) and len(story.entities.ids) else None
        s_emb = float(np.dot(centred, story.emb_sum)) / story.n
        return self._combine(s_words, s_ents, s_emb)

    def _cohesion(self, story: _Story) -> float:
        """The mean similarity between two articles of the story (0 for a story of one)."""
        n = story.n
        if n < 2:
            return 0.0

        def mean_pair(v: float) -> float:
            return (v - n) / (n * (n - 1))

        s_words = mean_pair(story.words.dot(story.words))
        s_ents = mean_pair(story.entities.dot(story.entities)) if len(story.entities.ids) else None
        s_emb = mean_pair(float(np.dot(story.emb_sum, story.emb_sum)))
        return self._combine(s_words, s_ents, s_emb)

    def _accepts(self, score: float, *stories: _Story) -> bool:
        """A score high enough in itself and next to how alike each story's own articles are."""
        if score < self.params.threshold:
            return False
        ratio = self.params.cohesion_ratio
        return not ratio or all(score >= ratio * self._cohesion(s) for s in stories)

    def _score_stories(self, a: _Story, b: _Story) -> float:
        s_words = a.words.dot(b.words) / (a.n * b.n)
        s_ents = a.entities.dot(b.entities) / (a.n * b.n) if len(a.entities.ids) and len(b.entities.ids) else None
        s_emb = float(np.dot(a.emb_sum, b.emb_sum)) / (a.n * b.n)
        return self._combine(s_words, s_ents, s_emb)

    def _in_window(self, story: _Story, published: datetime | None) -> bool:
        return _gap(story.first, story.last, published, published) <= self.params.window_days

    def _candidates(self, vector: npt.NDArray[np.float32], ents: SparseVector) -> list[str]:
        found: dict[str, None] = {}
        if len(self._key_doc):
            matches = self._ann.search(vector, count=min(self.params.neighbours, len(self._key_doc)), threads=1)
            for key in matches.keys:
                found[self.story_of(self._key_doc[int(key)])] = None
        if len(ents.ids):
            rarest = ents.ids[np.argsort(self._df[ents.ids], kind="stable")[: self.params.entity_candidates]]
            for tid in rarest:
                for sid in self._postings.get(int(tid), ()):
                    found[self.resolve(sid)] = None
        return list(found)

    def _score_candidates(
        self, vector: npt.NDArray[np.float32], words: SparseVector, ents: SparseVector, published: datetime | None
    ) -> list[tuple[float, str]]:
        scored = []
        centred = self._centre(vector)
        for sid in self._candidates(vector, ents):
            story = self._stories[sid]
            if self._in_window(story, published):
                scored.append((self._score_story(story, centred, words, ents), sid))
        scored.sort(key=lambda x: (-x[0], self._stories[x[1]].seq))
        return scored

    # -- updates -------------------------------------------------------------------

    def _add_member(
        self,
        story: _Story,
        doc_id: str,
        words: SparseVector,
        ents: SparseVector,
        vector: npt.NDArray[np.float32],
        published: datetime | None,
    ) -> None:
        story.members.append(doc_id)
        story.words = story.words.plus(words, self.params.max_words)
        story.entities = story.entities.plus(ents, self.params.max_entities)
        story.emb_sum = story.emb_sum + self._centre(vector)
        if published is not None:
            story.first = published if story.first is None else min(story.first, published)
            story.last = published if story.last is None else max(story.last, published)

    def _index_doc(self, doc_id: str, vector: npt.NDArray[np.float32], story_id: str, terms: _Terms) -> None:
        key = len(self._key_doc)
        self._key_doc.append(doc_id)
        self._doc_key[doc_id] = key
        self._doc_story[doc_id] = story_id
        if float(np.linalg.norm(vector)) > 0:
            self._ann.add(key, vector, threads=1)
        for tid in terms.entity_ids:
            posting = self._postings.setdefault(int(tid), [])
            if not posting or posting[-1] != story_id:
                posting.append(story_id)
                if len(posting) > self.params.posting_length:
                    del posting[0]
        if self._doc_terms is not None:
            terms.vector = vector
            self._doc_terms[doc_id] = terms
            if self._n_docs >= self._next_refresh:
                self._refresh_idf()

    def _maybe_merge(self, story: _Story, other_id: str, doc_id: str) -> _Story:
        other_id = self.resolve(other_id)
        if other_id == story.id or other_id not in self._stories:
            return story
        other = self._stories[other_id]
        if _gap(story.first, story.last, other.first, other.last) > self.params.window_days:
            return story
        score = self._score_stories(story, other)
        floor = self.params.merge_threshold
        if self.params.split_threshold > 0 and min(story.n, other.n) >= self.params.split_min:
            floor = max(floor, self.params.split_threshold)  # a merge re-clustering would undo is not made
        if score < floor or (self.params.cohesion_ratio and not self._accepts(score, story, other)):
            return story
        keep, gone = (story, other) if (story.n, -story.seq) >= (other.n, -other.seq) else (other, story)
        keep.members.extend(gone.members)
        keep.words = keep.words.plus(gone.words, self.params.max_words)
        keep.entities = keep.entities.plus(gone.entities, self.params.max_entities)
        keep.emb_sum = keep.emb_sum + gone.emb_sum
        dates = [d for d in (keep.first, keep.last, gone.first, gone.last) if d is not None]
        keep.first, keep.last = (min(dates), max(dates)) if dates else (None, None)
        keep.merged.extend([gone.id, *gone.merged])
        del self._stories[gone.id]
        self._merged_into[gone.id] = keep.id
        self.merges.append(Merge(absorbed=gone.id, into=keep.id, at=doc_id))
        return keep

    def _refresh_idf(self) -> None:
        """Re-weight every story with the current document frequencies (while terms are kept)."""
        assert self._doc_terms is not None
        for story in self._stories.values():
            words, ents = SparseVector.empty(), SparseVector.empty()
            emb_sum = np.zeros(self._embedder.dim, dtype=np.float32)
            for doc_id in story.members:
                terms = self._doc_terms[doc_id]
                w, e = self._weigh(terms)
                words, ents = words.plus(w, 1 << 30), ents.plus(e, 1 << 30)
                emb_sum += self._centre(terms.vector)
            story.words = words.capped(self.params.max_words)
            story.entities = ents.capped(self.params.max_entities)
            story.emb_sum = emb_sum
        self._next_refresh *= 2
        if self._next_refresh > self.params.idf_refresh_until:
            self._doc_terms = None
