"""Stories: near-duplicates across outlets and incremental same-story clustering.

Pure functions and small classes with no database code: an index is rebuilt by feeding
it the stored articles in their order of arrival.

* :mod:`veracity.stories.neardup`: ``NearDupIndex``, MinHash LSH over word shingles;
* :mod:`veracity.stories.embed`: the static text embedding (offline, numpy only);
* :mod:`veracity.stories.cluster`: ``StoryIndex.assign``, story merges and splits;
* :mod:`veracity.stories.text`: words, entity keys and shingles.
"""

from __future__ import annotations

from veracity.stories.cluster import Merge, Split, StoryIndex, StoryInfo, StoryParams
from veracity.stories.neardup import Match, NearDupIndex, classify

__all__ = ["Match", "Merge", "NearDupIndex", "Split", "StoryIndex", "StoryInfo", "StoryParams", "classify"]
