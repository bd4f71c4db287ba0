"""How text becomes searchable words, the same for the indexed text and the query on both databases.

Words are runs of letters and digits of any script (`_`, hyphens and other punctuation split
them), folded to lower case without accents. A hyphenated compound ("co-creation", "P-8A") is
also indexed joined ("cocreation", "p8a"), so it is found written either way.
"""

import functools
import re
import unicodedata

# PostgreSQL's english.stop (Snowball): words a query drops, as they say nothing about a text.
STOP_WORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom this
    that these those am is are was were be been being have has had having do does did doing a an
    the and but if or because as until while of at by for with about against between into through
    during before after above below to from up down in out on off over under again further then
    once here there when where why how all any both each few more most other some such no nor not
    only own same so than too very s t can will just don should now""".split()
)
WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Tried only where a word starts (the lookbehind), so a text of long words costs no backtracking.
COMPOUND = re.compile(r"(?<![^\W_])[^\W_]+(?:-[^\W_]+)+", re.UNICODE)
# Letters that carry no combining accent to strip but that PostgreSQL's unaccent rules fold too.
FOLDED_LETTERS = str.maketrans(
    {
        "ß": "ss",
        "ẞ": "ss",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ø": "o",
        "Ø": "o",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
        "ı": "i",
        "ħ": "h",
        "Ħ": "h",
    }
)


ACCENTED_SCRIPTS_END = "\u0530"  # Latin, Greek and Cyrillic: the scripts unaccent folds
BREVE = "\u0306"


def fold(text):
    """`text` in lower case without accents ("Île-de-France" -> "ile-de-france"); linear time.

    As PostgreSQL's unaccent: accents come off Latin, Greek and Cyrillic letters (but "й" keeps
    its breve); the marks of other scripts, part of their spelling, stay. ASCII text is only
    lowered; otherwise only the marks the text holds are looked for, by a regular expression of
    those few (the SQLite index calls this for every indexed text: a pattern of every combining
    character scanned a 12 kB body ten times slower, and most texts hold none).
    """
    if text.isascii():
        return text.lower()
    if not _FOLDED.isdisjoint(text):
        text = text.translate(FOLDED_LETTERS)
    decomposed = unicodedata.normalize("NFKD", text)
    present = _combining().intersection(decomposed)
    if present:
        decomposed = _marks(frozenset(present)).sub(_kept_marks, decomposed)
    return unicodedata.normalize("NFC", decomposed).lower()


_FOLDED = frozenset(chr(code) for code in FOLDED_LETTERS)


def _kept_marks(match):
    """The marks of a run (a regular expression match) that fold() keeps: they follow its base, the
    character before the run (none at the start of the text, which fold() treats as Latin)."""
    start = match.start()
    base = match.string[start - 1] if start else ""
    if base >= ACCENTED_SCRIPTS_END:
        return match.group()
    if base in "иИ":
        return BREVE * match.group().count(BREVE)
    return ""


@functools.cache
def _combining():
    """Every combining character (`unicodedata.combining` non-zero), as a frozenset, built once."""
    # No character past U+1FFFF combines (Unicode 15).
    return frozenset(chr(code) for code in range(0x20000) if unicodedata.combining(chr(code)))


@functools.lru_cache(maxsize=256)
def _marks(marks):
    """A pattern of a run of the combining characters `marks` (a frozenset)."""
    return re.compile(f"[{''.join(re.escape(mark) for mark in sorted(marks))}]+")


def words(text):
    """The folded words of `text`, in order: `words("Zürich's P-8A")` == ["zurich", "s", "p", "8a"]."""
    return WORD.findall(fold(text))


def compounds(text):
    """The hyphenated compounds of `text` joined, space-separated: "a co-creation P-8A" -> "co-creation p-8a"
    becomes "cocreation P8A" (case kept; the index folds it)."""
    if "-" not in text:
        return ""
    # A compound holds no white space, so it is found within the words holding a hyphen, the same
    # as over the whole text (white space is no letter for the lookbehind either): a 12 kB body
    # is split once rather than tried at every letter.
    return " ".join(
        match.replace("-", "") for token in text.split() if "-" in token for match in COMPOUND.findall(token)
    )


# A markdown link's target, "](…)" with no parenthesis or ASCII white space inside: an address,
# not text a reader sees. Each timestamp of a document is such a link ("[00:02:17](https://www.
# youtube.com/watch?v=…&t=137s)"), so indexed they made "watch" or "youtube" find every document.
# The white space is spelt out: Python's \s and PostgreSQL's [:space:] differ past ASCII, and the
# two indexes must drop the same targets (schema/postgresql.py: postgres_text_function). A "(" ends
# a target too, so a run of "](](](…" is scanned once, not once from each "](".
LINK_TARGET = re.compile(r"\]\([^()\t\n\v\f\r ]*\)")


def search_text(text):
    """What SQLite indexes for `text` (its FTS5 tokenizer splits and folds the words further): the
    text without its links' targets (LINK_TARGET), folded, followed by its compounds joined.
    PostgreSQL computes the same in SQL (schema/postgresql.py: postgres_text_function)."""
    if not text:
        return ""
    if "](" in text:
        text = LINK_TARGET.sub("]", text)
    folded = fold(text)
    joined = compounds(folded)
    return f"{folded} {joined}" if joined else folded


def stem(word):
    """A light suffix stemming of a folded word; the search then matches the stem as a prefix, so
    "policies" finds "policy", "collaborate" and "collaboration" find "collaborating"."""
    if len(word) <= 4:
        return word
    for suffix, keep in (
        ("ies", 4),
        ("ied", 4),
        ("ing", 4),
        ("ed", 4),
        ("ions", 5),
        ("ion", 5),
        ("ives", 5),
        ("ive", 5),
        ("ments", 5),
        ("ment", 5),
    ):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            return word[: -len(suffix)]
    if word.endswith("e") and len(word) > 6:
        return word[:-1]
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word
