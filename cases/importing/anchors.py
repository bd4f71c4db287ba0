"""Timestamp values and the anchors that carry them in one line of a summary document (pure Python).

Every pattern here is linear in the line's length: no unbounded scan is retried from each start
position (``[^<>]`` stops at the next tag, anchor texts and values are bounded), so a hostile
line of a megabyte with thousands of ``[`` or ``<a `` still reads in one pass.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

# Longer values are junk (and int() refuses numbers of thousands of digits): read only this much.
MAX_VALUE_LENGTH = 64

# Digits are 0-9 only (re.ASCII, [0-9]), as everywhere numbers are read (cases.numbers): Python's \d and
# int() also take other scripts' digits ('٠٣:١٢') and fullwidth ones, which no summary writes, so a
# value holding one is reported unreadable (foreign_digits) rather than read or half read.
_CLEAN_VALUE = re.compile(r"\d+(?::\d+)*\Z", re.ASCII)
_NON_DIGIT = re.compile(r"\D", re.ASCII)
_HMS_WORDS = re.compile(r"^\s*(?:([0-9]+)\s*h)?\s*(?:([0-9]+)\s*m(?:in)?)?\s*(?:([0-9]+)\s*s)?\s*$", re.I)
# A fraction of a second after the last field: '00:01:02.500', '00:02:03,250'.
_FRACTION = re.compile(r"(?<=\d)[.,]\d+(?=\D*\Z)", re.ASCII)


def foreign_digits(value: str) -> bool:
    """Whether `value` holds a digit or numeral other than 0-9 (Arabic-Indic, fullwidth,
    superscript, a Roman numeral or a vulgar fraction: `str.isnumeric`; "00:00:Ⅻ" was read as 0 s)."""
    return not value.isascii() and any(ch.isnumeric() and not ch.isascii() for ch in value)


def _fields(value: str) -> list[int] | None:
    """The numeric fields of a timestamp value, stray characters removed; None without a digit."""
    if not isinstance(value, str):
        return None
    value = value[:MAX_VALUE_LENGTH]
    if _CLEAN_VALUE.match(value):  # the common case: '00:12:03' (checked first: it has digits)
        return [int(part) for part in value.split(":")]
    if foreign_digits(value) or not any("0" <= ch <= "9" for ch in value):
        return None
    value = _FRACTION.sub("", value, count=1)
    if ":" not in value:
        words = _HMS_WORDS.match(value)
        if words and any(words.groups()):  # '1h02m03s', '1h10m', '4210s'
            hours, minutes, secs = (int(g) if g else 0 for g in words.groups())
            return [hours, minutes, secs]
    digits = [_NON_DIGIT.sub("", part) for part in value.split(":")]
    while digits and not digits[0]:
        digits.pop(0)
    while digits and not digits[-1]:
        digits.pop()
    return [int(d) if d else 0 for d in digits]


def seconds_from_fields(fields: list[int], minutes_seconds: bool) -> int:
    """Seconds named by the fields of a value (see :func:`parse_timestamp`)."""
    if len(fields) == 1:
        return fields[0]
    if len(fields) == 2:
        return fields[0] * 60 + fields[1]
    hours, minutes, secs = fields[:3]  # a fourth field (frames) is ignored
    if len(fields) == 3 and minutes_seconds:
        return hours * 60 + minutes  # shifted document: '13:23:00' is 13 min 23 s
    return hours * 3600 + minutes * 60 + secs


def parse_timestamp(value: str, *, minutes_seconds: bool = False) -> int | None:
    """Seconds of a timestamp value, or None when the value has no digit 0-9 at all or holds another
    script's digit (see foreign_digits).

    Fields are separated by ':' and stray characters (brackets, spaces, letters) are dropped from
    each: 'H:M:S', 'M:S', 'H:M:S:frames' (frames ignored), one-digit fields, a single number of
    seconds, '1h02m03s' / '1h10m'; a fraction of a second ('00:01:02.500', '00:02:03,250') is
    dropped. With ``minutes_seconds`` a three-field value is re-read as minutes and seconds shifted
    one field left ('13:23:00' -> 803). Only the first 64 characters of a value are read.
    """
    fields = _fields(value)
    if fields is None:
        return None
    return seconds_from_fields(fields, minutes_seconds)


# --------------------------------------------------------------------------- anchors

# A time's fields ('00:12:34', '1:02'), its digits the class {digit}: 0-9 for the anchors, any
# script's for the stamps reported unread (_ANY_DIGITS_STAMP).
_FIELDS = r"{digit}{{1,2}}(?:\s*:\s*{digit}{{1,2}}){{1,3}}"
_VALUE = _FIELDS.format(digit="[0-9]") + r"(?:[.,][0-9]{1,3}(?![0-9:]))?"
_BARE_VALUE = re.compile(_VALUE)

# One pass finds every anchor form:
#  * an <a ...> tag (attribute soup may be broken) with its text up to </a> (bounded), or, when
#    </a> is missing, a bracketed text right after the tag; a bare value written just before the
#    tag as the label of a broken markdown link ('[00:01:27](<a ...>[00:01:27]</a>)') is part of
#    the anchor, and so is the ')' that closes that link;
#  * bare "[HH:MM:SS]" text, or several values in one pair of brackets ("[00:10:05, 00:11:40]"),
#    not part of a wiki link "[[..]]" nor the label of a markdown link "[..](..)".
_TOKEN = re.compile(
    rf"""
    (?P<pre>\[\s*{_VALUE}\s*\]\(\s*)?
    (?P<tag><a\b(?P<attrs>[^<>]*)>)
    (?:
        (?P<text>(?:(?!<a\b|</a\s*>).){{0,300}}?)(?P<close></a\s*>)
      | (?P<loose>\s*\[[^\[\]<>]*\])
    )?
    (?(pre)(?P<post>[ \t]?\))?)
  | (?<!\[)(?P<bare>\[\s*{_VALUE}(?:\s{{0,3}}(?:[,;]|[-–—]|to|and)\s{{0,3}}{_VALUE})*\s*\])(?![(\]])
    """,
    re.I | re.S | re.X,
)
_IS_TIMESTAMP_TAG = re.compile(r"(?<![a-z])yt(?![a-z])|timestamp|data-t\s*=", re.I)
_DATA_T = re.compile(r"""data-t\s*=\s*(?:"(?P<dq>[^"]*)"?|'(?P<sq>[^']*)'?|(?P<uq>[^\s>"']+))""", re.I)
_TIME_IN_TEXT = re.compile(r"[0-9]+(?:\s*:\s*[0-9]+)*")
_TEXT_WRAPPING = " \t[]()"


@dataclass
class Anchor:
    """One timestamp anchor of a line.

    ``start``/``end`` are offsets in the line of the text the anchor replaces (for a bracketed
    list, each value's share of the brackets); ``raw`` the value read (data-t, else the text) as
    written; ``seconds`` None when no number can be read; ``fields`` the numeric fields of ``raw``;
    ``text_seconds`` the second the anchor's own text names when it names another one than
    ``raw`` (read the same way), else None; ``disagreement`` that text, for the problem line;
    ``foreign_text`` the anchor's own text when ``raw`` (its data-t) was read but the text is
    written with digits other than 0-9 (so it could not be compared), for the problem line;
    ``foreign_data_t`` the other way round: its data-t, written with such digits, when ``raw`` was
    read from its text.
    """

    start: int
    end: int
    raw: str
    text: str
    seconds: int | None
    fields: list[int] | None
    bare: bool
    disagreement: str | None = None
    text_seconds: int | None = None
    foreign_text: str | None = None
    foreign_data_t: str | None = None


def _text_fields(plain_text: str) -> list[int] | None:
    """Fields of the time an anchor's own text names ('[00:25:06]', '[1h10m]'), None if none."""
    inner = plain_text.strip(_TEXT_WRAPPING)[:MAX_VALUE_LENGTH]
    if foreign_digits(inner):  # a time half in other digits is not read as its ASCII part
        return None
    words = _HMS_WORDS.match(inner) if ":" not in inner else None
    if words and any(words.groups()):
        return _fields(inner)
    found = _TIME_IN_TEXT.search(inner)
    return _fields(found.group()) if found else None


def _read_tag(match: re.Match, minutes_seconds: bool) -> Anchor:
    attrs = match.group("attrs") or ""
    text = match.group("text")
    if text is None:
        text = (match.group("loose") or "").strip()
    data_t = _DATA_T.search(attrs)
    value = None
    if data_t:
        value = next((g for g in data_t.group("dq", "sq", "uq") if g is not None), "")
        # An attribute's value is HTML: "&#58;" is ":", and "&#1632;" an Arabic-Indic zero, whose
        # entity's digits were read as a time.
        value = html.unescape(value) if "&" in value else value
    plain_text = (html.unescape(text) if "&" in text else text).strip()
    text_fields = _text_fields(plain_text)

    fields = _fields(value) if value is not None else None
    read_from_data_t = fields is not None
    raw = value
    disagreement = text_seconds = None
    if fields is not None:
        if text_fields and seconds_from_fields(text_fields, False) != seconds_from_fields(fields, False):
            disagreement = plain_text
            text_seconds = seconds_from_fields(text_fields, minutes_seconds)
    elif text_fields:
        raw = plain_text.strip(_TEXT_WRAPPING)
        fields = text_fields
    elif value is None:
        raw = plain_text or match.group("tag")
    seconds = seconds_from_fields(fields, minutes_seconds) if fields else None
    if text_seconds == seconds:
        text_seconds = None  # the two differ only in a form the reading makes equal
    foreign_text = plain_text if read_from_data_t and foreign_digits(plain_text) else None
    foreign_data_t = (
        value if value is not None and not read_from_data_t and text_fields and foreign_digits(value) else None
    )
    return Anchor(
        match.start(),
        match.end(),
        raw,
        text,
        seconds,
        fields,
        False,
        disagreement,
        text_seconds,
        foreign_text,
        foreign_data_t,
    )


def _read_bare(match: re.Match, minutes_seconds: bool) -> list[Anchor]:
    """One anchor per value of a bare '[HH:MM:SS]' or '[v1, v2]' / '[v1-v2]'."""
    values = list(_BARE_VALUE.finditer(match.group("bare")))
    anchors = []
    for index, value in enumerate(values):
        start = match.start() + value.start() if index else match.start()
        end = match.start() + value.end() if index < len(values) - 1 else match.end()
        fields = _fields(value.group())
        anchors.append(
            Anchor(start, end, value.group(), value.group(), seconds_from_fields(fields, minutes_seconds), fields, True)
        )
    return anchors


# A bracketed time in any script's digits: found only to report the ones in other digits than 0-9,
# which the anchor scan (0-9 only) leaves as text.
_ANY_DIGITS_STAMP = re.compile(r"\[\s*" + _FIELDS.format(digit=r"\d") + r"\s*\]")


def foreign_stamps(line: str, anchors: list[Anchor]) -> list[str]:
    """The bracketed times ('[٠٠:١٢:٣٤]') of `line` written with digits other than 0-9, outside
    the spans of `anchors` (whose own texts are reported with them); [] for an ASCII line."""
    if line.isascii():
        return []
    return [
        match.group()
        for match in _ANY_DIGITS_STAMP.finditer(line)
        if foreign_digits(match.group()) and not any(anchor.start <= match.start() < anchor.end for anchor in anchors)
    ]


def scan_anchors(line: str, minutes_seconds: bool) -> list[Anchor]:
    """Every timestamp anchor of one line, in order; other ``<a>`` tags are ordinary markup."""
    if "<a" not in line and "<A" not in line and "[" not in line:
        return []
    anchors = []
    for match in _TOKEN.finditer(line):
        if match.group("bare"):
            anchors.extend(_read_bare(match, minutes_seconds))
        elif _IS_TIMESTAMP_TAG.search(match.group("attrs") or ""):
            anchors.append(_read_tag(match, minutes_seconds))
        elif match.group("pre"):  # '[00:01:27](' before an ordinary link: the value alone is an anchor
            pre = _BARE_VALUE.search(match.group("pre"))
            fields = _fields(pre.group())
            anchors.append(
                Anchor(
                    match.start(),
                    match.start() + match.group("pre").index("]") + 1,
                    pre.group(),
                    pre.group(),
                    seconds_from_fields(fields, minutes_seconds),
                    fields,
                    True,
                )
            )
        # any other <a> tag is ordinary markup: left in place
    return anchors
