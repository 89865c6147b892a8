"""A readable diff between two versions of an article: paragraph by paragraph, and word by word
inside a changed paragraph. Plain data; templates escape every piece of text."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from veracity.store.base import VersionRecord

_TOKEN = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Row:
    """One paragraph of the comparison.

    ``op`` is ``equal``, ``insert``, ``delete``, ``replace`` (with ``words``: pairs of
    ``equal``/``insert``/``delete`` and text) or ``skip`` (``count`` unchanged paragraphs).
    """

    op: str
    kind: str = "paragraph"
    old: str = ""
    new: str = ""
    words: list[tuple[str, str]] = field(default_factory=list)
    count: int = 0


def _blocks(record: VersionRecord) -> list[tuple[str, str]]:
    a = record.article
    return [("title", a.title)] + [(b.kind, b.text) for b in a.blocks]


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """``old`` turned into ``new`` as runs of equal, deleted and inserted text."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    runs: list[list[str]] = []  # [op, old text, new text]; changes separated only by spaces are merged
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        same, gone, came = "".join(a[i1:i2]), "".join(a[i1:i2]), "".join(b[j1:j2])
        if op == "equal":
            runs.append(["equal", same, same])
            continue
        if len(runs) >= 2 and runs[-1][0] == "equal" and not runs[-1][1].strip() and runs[-2][0] == "change":
            space = runs.pop()[1]
            runs[-1][1] += space + gone
            runs[-1][2] += space + came
        elif runs and runs[-1][0] == "change":
            runs[-1][1] += gone
            runs[-1][2] += came
        else:
            runs.append(["change", gone, came])
    out: list[tuple[str, str]] = []
    for tag, gone, came in runs:
        if tag == "equal":
            out.append(("equal", gone))
            continue
        if gone:
            out.append(("delete", gone))
        if came:
            out.append(("insert", came))
    return out


def compare(old: VersionRecord, new: VersionRecord, context: int = 1) -> list[Row]:
    """The paragraphs of ``new`` against ``old``; runs of unchanged ones beyond ``context`` collapsed."""
    a, b = _blocks(old), _blocks(new)
    rows: list[Row] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            same = [Row("equal", kind, text, text) for kind, text in a[i1:i2]]
            if len(same) > 2 * context + 1:
                head = same[:context] if rows else []
                tail = same[-context:] if i2 < len(a) or j2 < len(b) else []
                skipped = len(same) - len(head) - len(tail)
                same = [*head, Row("skip", count=skipped), *tail]
            rows.extend(same)
        elif op == "replace":
            olds, news = a[i1:i2], b[j1:j2]
            for k in range(max(len(olds), len(news))):
                if k < len(olds) and k < len(news):
                    kind = news[k][0]
                    rows.append(Row("replace", kind, olds[k][1], news[k][1], word_diff(olds[k][1], news[k][1])))
                elif k < len(olds):
                    rows.append(Row("delete", olds[k][0], old=olds[k][1]))
                else:
                    rows.append(Row("insert", news[k][0], new=news[k][1]))
        elif op == "delete":
            rows.extend(Row("delete", kind, old=text) for kind, text in a[i1:i2])
        else:
            rows.extend(Row("insert", kind, new=text) for kind, text in b[j1:j2])
    return rows


def changed(rows: list[Row]) -> int:
    """How many paragraphs differ."""
    return sum(1 for r in rows if r.op in ("insert", "delete", "replace"))
