"""The lexicons quote extraction reads: cue verbs, role nouns, pronouns, and quotation marks.

Cue verbs are verbs of saying, reporting and stating a belief, the classes PolNeAR annotates
(Newell et al. 2018) and PARC 3.0 before it (Pareti 2016): written as base forms here,
inflected by :func:`forms` because the pipeline runs without spaCy's lemmatizer.
"""

from __future__ import annotations

import re

SPEECH = [
    "accuse",
    "acknowledge",
    "add",
    "admit",
    "advise",
    "affirm",
    "agree",
    "allege",
    "announce",
    "answer",
    "argue",
    "ask",
    "assert",
    "assure",
    "blast",
    "boast",
    "brag",
    "caution",
    "charge",
    "claim",
    "comment",
    "complain",
    "concede",
    "conclude",
    "confirm",
    "contend",
    "counter",
    "criticize",
    "criticise",
    "declare",
    "decry",
    "deny",
    "describe",
    "disclose",
    "dispute",
    "emphasize",
    "emphasise",
    "estimate",
    "explain",
    "forecast",
    "hint",
    "imply",
    "indicate",
    "inform",
    "insinuate",
    "insist",
    "joke",
    "lament",
    "maintain",
    "mention",
    "note",
    "object",
    "observe",
    "pledge",
    "point",
    "post",
    "predict",
    "proclaim",
    "promise",
    "propose",
    "quip",
    "recall",
    "recommend",
    "reiterate",
    "remark",
    "repeat",
    "reply",
    "report",
    "respond",
    "retort",
    "reveal",
    "say",
    "scoff",
    "shout",
    "signal",
    "speculate",
    "state",
    "stress",
    "suggest",
    "swear",
    "tell",
    "testify",
    "threaten",
    "tout",
    "tweet",
    "urge",
    "vow",
    "warn",
    "whisper",
    "write",
]
BELIEF = [
    "believe",
    "doubt",
    "expect",
    "fear",
    "feel",
    "find",
    "guess",
    "hope",
    "know",
    "reckon",
    "show",
    "suspect",
    "think",
    "want",
    "worry",
]
CUES = frozenset(SPEECH + BELIEF)

IRREGULAR = {
    "say": ["said"],
    "tell": ["told"],
    "write": ["wrote", "written"],
    "think": ["thought"],
    "know": ["knew", "known"],
    "feel": ["felt"],
    "swear": ["swore", "sworn"],
    "forecast": ["forecast"],
    "find": ["found"],
    "show": ["shown"],
}
DOUBLED = frozenset(["admit", "quip"])  # admitted, quipped


def forms(base: str) -> set[str]:
    """Every inflected form of a regular English verb, plus the irregular ones listed above."""
    out = {base, *IRREGULAR.get(base, [])}
    if base.endswith(("s", "sh", "ch", "x", "z")):
        out.add(base + "es")
    elif base.endswith("y") and base[-2] not in "aeiou":
        out.add(base[:-1] + "ies")
    else:
        out.add(base + "s")
    if base in DOUBLED:
        out |= {base + base[-1] + "ed", base + base[-1] + "ing"}
    elif base.endswith("e"):
        out |= {base + "d", base[:-1] + "ing"}
    elif base.endswith("y") and base[-2] not in "aeiou":
        out |= {base[:-1] + "ied", base + "ing"}
    else:
        out |= {base + "ed", base + "ing"}
    return out


CUE_FORMS: dict[str, str] = {form: base for base in sorted(CUES) for form in forms(base)}

# Words that name a person by role: "the spokesperson said" is resolved to the nearest person
# introduced with that role, or else to the nearest person mentioned as a subject.
ROLES = frozenset(
    [
        "spokesperson",
        "spokesman",
        "spokeswoman",
        "president",
        "minister",
        "senator",
        "governor",
        "secretary",
        "chairman",
        "chairwoman",
        "chair",
        "director",
        "leader",
        "official",
        "head",
        "chief",
        "candidate",
        "nominee",
        "mayor",
        "ambassador",
        "adviser",
        "advisor",
        "aide",
        "lawyer",
        "attorney",
        "prosecutor",
        "judge",
        "general",
        "commander",
        "professor",
        "analyst",
        "economist",
        "expert",
        "researcher",
        "scientist",
        "author",
        "founder",
        "executive",
        "ceo",
        "manager",
        "strategist",
        "representative",
        "congressman",
        "congresswoman",
        "lawmaker",
        "diplomat",
        "envoy",
        "chancellor",
        "premier",
        "king",
        "queen",
        "prince",
        "pope",
        "activist",
        "campaigner",
    ]
)
PERSONAL_PRONOUNS = frozenset(["he", "she", "him", "her"])
GROUP_PRONOUNS = frozenset(["they", "them"])

# Quotation marks. Curly ones say which side they are on; straight ones are decided by their
# neighbours (an apostrophe inside a word, as in "we'll", is neither).
OPENING = "“‘«„"
CLOSING = "”’»"
STRAIGHT = "\"'"
_OPEN_BEFORE = re.compile(r"[\s(\[{—–-]")


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Outermost quoted passages of ``text`` as (start, end) offsets, quote marks included.

    Pairs marks with a stack, so a quote inside a quote (``'Our 'favorite,' … Mr Biden,'``)
    stays inside the outer one. A passage never runs over a line break (a paragraph); a
    paragraph that opens with a mark never closed runs to its end (the convention for a
    quotation that goes on in the next paragraph).
    """
    spans: list[tuple[int, int]] = []
    stack: list[int] = []
    n = len(text)
    line_start = 0
    for i, ch in enumerate(text + "\n"):
        if ch == "\n":
            if stack and not text[line_start : stack[0]].strip():
                spans.append((stack[0], len(text[:i].rstrip())))
            stack.clear()
            line_start = i + 1
            continue
        if ch not in OPENING and ch not in CLOSING and ch not in STRAIGHT:
            continue
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < n else " "
        if before.isalnum() and after.isalnum():
            continue  # an apostrophe inside a word: we'll, Peskov’s
        can_open = ch in OPENING or (ch in STRAIGHT and bool(_OPEN_BEFORE.match(before)) and not after.isspace())
        can_close = ch in CLOSING or (ch in STRAIGHT and not before.isspace())
        if ch == "’" and before.isspace() and not after.isspace():
            can_open, can_close = True, False  # a right single mark used as an opening one
        if can_close and stack:
            start = stack.pop()
            if not stack and i - start > 1:
                spans.append((start, i + 1))
        elif can_open:
            stack.append(i)
    return spans
