"""Characters the library cannot keep: what PostgreSQL text cannot hold and what XML 1.0 cannot carry.

PostgreSQL refuses NUL in text and a lone surrogate cannot be encoded at all, so a request
holding either is answered 400 before it reaches a query (kb.middleware). XML 1.0 forbids the
other C0 controls too (U+000B pasted from a PDF took the Atom feed down), so text is cleaned on
the way in (every save of a model of this app, the importer's decoding) and on the way out (feed).
"""

import re

# Tab, line feed and carriage return are the only C0 controls XML 1.0 allows.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
PAGE_BREAKS = re.compile("[\x0b\x0c]")  # vertical tab, form feed: a break between words
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Bidirectional embeddings, overrides and isolates (Unicode UAX #9): in a one-line field (a title,
# a name) they serve only to disguise text, reversing what follows ("(tfarD)") into the next cell
# of a list. Text in any script reads right without them; markdown bodies keep them.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def xml_safe(text):
    """`text` (a str) with every character XML 1.0 cannot carry removed (VT and FF become spaces).

    Anything that is not a str is returned as it is, so callers can pass any field value.
    """
    if not isinstance(text, str) or not XML_ILLEGAL.search(text):
        return text
    return XML_ILLEGAL.sub("", PAGE_BREAKS.sub(" ", text))


def one_line_safe(text):
    """xml_safe(`text`) without bidirectional controls (BIDI_CONTROLS): for one-line fields."""
    text = xml_safe(text)
    if not isinstance(text, str) or not BIDI_CONTROLS.search(text):
        return text
    return BIDI_CONTROLS.sub("", text)


def storable(text):
    """False when the str `text` holds NUL or a lone surrogate, which PostgreSQL text cannot hold."""
    return not UNSTORABLE.search(text)


def clean_text_fields(sender, instance, **kwargs):
    """pre_save receiver: every char and text field of `instance` made XML-safe before it is stored,
    and one-line fields (char and slug fields) free of bidirectional controls."""
    for field in instance._meta.concrete_fields:
        kind = field.get_internal_type()
        if kind in ("CharField", "TextField", "SlugField"):
            value = getattr(instance, field.attname)
            cleaned = xml_safe(value) if kind == "TextField" else one_line_safe(value)
            if cleaned is not value:
                setattr(instance, field.attname, cleaned)
