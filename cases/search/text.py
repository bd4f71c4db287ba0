"""How text becomes searchable words, the same for the indexed text and the query on both databases.

Words are runs of letters and digits of any script (`_`, hyphens and other punctuation split
them), folded to lower case without accents. A hyphenated compound ("co-creation", "P-8A") is
also indexed joined ("cocreation", "p8a"), so it is found written either way.
"""
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
COMPOUND = re.compile(r"[^\W_]+(?:-[^\W_]+)+", re.UNICODE)
# Letters that carry no combining accent to strip but that PostgreSQL's unaccent rules fold too.
FOLDED_LETTERS = str.maketrans({
    "ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o", "ł": "l", "Ł": "l",
    "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th", "ı": "i", "ħ": "h", "Ħ": "h",
})


ACCENTED_SCRIPTS_END = "\u0530"  # Latin, Greek and Cyrillic: the scripts unaccent folds
BREVE = "\u0306"


def fold(text):
    """`text` in lower case without accents ("Île-de-France" -> "ile-de-france"); linear time.

    As PostgreSQL's unaccent: accents come off Latin, Greek and Cyrillic letters (but "й" keeps
    its breve); the marks of other scripts, part of their spelling, stay.
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(FOLDED_LETTERS))
    kept = []
    base = ""
    for char in decomposed:
        if unicodedata.combining(char):
            if base < ACCENTED_SCRIPTS_END and not (char == BREVE and base in "иИ"):
                continue
        else:
            base = char
        kept.append(char)
    return unicodedata.normalize("NFC", "".join(kept)).lower()


def words(text):
    """The folded words of `text`, in order: `words("Zürich's P-8A")` == ["zurich", "s", "p", "8a"]."""
    return WORD.findall(fold(text))


def compounds(text):
    """The hyphenated compounds of `text` joined, space-separated: "a co-creation P-8A" -> "co-creation p-8a"
    becomes "cocreation P8A" (case kept; the index folds it)."""
    return " ".join(match.replace("-", "") for match in COMPOUND.findall(text))


def search_text(text):
    """What SQLite indexes for `text` (its FTS5 tokenizer splits and folds the words further): the
    folded text followed by its compounds joined. PostgreSQL computes the same in SQL (schema.py)."""
    if not text:
        return ""
    folded = fold(text)
    joined = compounds(folded)
    return f"{folded} {joined}" if joined else folded


def stem(word):
    """A light suffix stemming of a folded word; the search then matches the stem as a prefix, so
    "policies" finds "policy", "collaborate" and "collaboration" find "collaborating"."""
    if len(word) <= 4:
        return word
    for suffix, keep in (("ies", 4), ("ied", 4), ("ing", 4), ("ed", 4), ("ions", 5), ("ion", 5), ("ives", 5),
                         ("ive", 5), ("ments", 5), ("ment", 5)):
        if word.endswith(suffix) and len(word) - len(suffix) >= keep:
            return word[: -len(suffix)]
    if word.endswith("e") and len(word) > 6:
        return word[:-1]
    if word.endswith(("sses", "shes", "ches", "xes", "zes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word
