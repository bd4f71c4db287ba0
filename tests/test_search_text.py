"""cases.search.text.fold: the same folding as its plain definition, for any text."""

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from cases.search.text import ACCENTED_SCRIPTS_END, BREVE, FOLDED_LETTERS, fold, search_text

# Every combining character, as one pattern: fold()'s plain definition, which the fast one must equal.
EVERY_MARK = re.compile(
    "[" + "".join(re.escape(chr(code)) for code in range(0x20000) if unicodedata.combining(chr(code))) + "]+"
)


def plain_fold(text):
    """fold() as first written: the letters folded, NFKD, every run of marks judged by its base, NFC, lower."""

    def kept(match):
        base = match.string[match.start() - 1] if match.start() else ""
        if base >= ACCENTED_SCRIPTS_END:
            return match.group()
        if base in "иИ":
            return BREVE * match.group().count(BREVE)
        return ""

    decomposed = unicodedata.normalize("NFKD", text.translate(FOLDED_LETTERS))
    return unicodedata.normalize("NFC", EVERY_MARK.sub(kept, decomposed)).lower()


EXAMPLES = [
    ("Île-de-France", "ile-de-france"),
    ("Zürich’s P-8A", "zurich’s p-8a"),
    ("Straße Œuvre Łódź", "strasse oeuvre lodz"),
    ("Йошкар-Ола", "йошкар-ола"),  # the breve of й stays
    ("हिन्दी", "हिन्दी"),  # the marks of other scripts stay
    ("ﬁnance…", "finance..."),  # compatibility forms decomposed
    ("q\u0301", "q"),  # a mark with no precomposed letter
    ("\u0301a", "a"),  # a mark at the start of the text
    ("plain ascii TEXT", "plain ascii text"),
]


def test_examples():
    for text, folded in EXAMPLES:
        assert fold(text) == folded == plain_fold(text)


# Letters with and without marks, marks alone, the folded letters, other scripts, compatibility forms.
CHOSEN = st.sampled_from("aeiouyAEIOU иИйЙ-’…ﬁ \u00a0ßæøłđþıħ\u0301\u0306\u0308\u0327\u093f\u094d\u05b7中")
TEXT = st.lists(st.one_of(CHOSEN, CHOSEN, CHOSEN, st.characters(codec="utf-8")), max_size=60).map("".join)


@settings(max_examples=2000, deadline=None)
@given(TEXT)
def test_fold_equals_its_plain_definition(text):
    assert fold(text) == plain_fold(text)


def test_search_text_leaves_out_the_targets_of_links():
    assert search_text("At [00:02:17](https://www.youtube.com/watch?v=x&t=137s).") == "at [00:02:17]."
    assert search_text("[The Report](https://oecd.org/a-b) on co-creation") == "[the report] on co-creation cocreation"
    # Not a link target: white space before the ")", or no ")" at all.
    assert search_text("a](b c) d ](") == "a](b c) d ]("
