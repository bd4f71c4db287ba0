"""Citations of cases and quotes: APA-style lines, BibTeX, RIS and the meta tags reference managers read.

Plain functions of a case (or quote) and its absolute URL; the views, templates and tests call them.
"""

import re

from django.utils import timezone

from ..slugs import NOT_SLUG

LIBRARY_NAME = "Cross-border Innovation Case Library"

BIBTEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    # BibTeX counts braces even after a backslash: \{ would unbalance a field.
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}
BIBTEX_SPECIAL = re.compile("|".join(re.escape(char) for char in BIBTEX_SPECIALS))
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def one_line(text):
    """Text on one line, without control characters (RIS and BibTeX fields are line based)."""
    return " ".join(CONTROL.sub(" ", str(text or "")).split())


def bibtex_escape(text):
    return BIBTEX_SPECIAL.sub(lambda match: BIBTEX_SPECIALS[match.group(0)], one_line(text))


def bibtex_url(url):
    """A URL inside a braced BibTeX field: braces and backslashes would break the entry."""
    return one_line(url).replace("{", "%7B").replace("}", "%7D").replace("\\", "%5C")


def case_date(case):
    """The date a case was published in the library (its last update if it never was)."""
    moment = case.published_at or case.updated_at or case.created_at
    return timezone.localtime(moment).date() if moment else None


def today():
    return timezone.localdate()


def long_date(day):
    return f"{day:%B} {day.day}, {day.year}"


def level_note(case):
    """'Level of government: National' ('' when unset), for the citation's notes."""
    return f"level of government: {case.get_level_of_government_display().lower()}" if case.level_of_government else ""


def case_apa(case, *, url, accessed=None):
    """An APA-style (7th edition) reference to the case page; it changes over time, so a retrieval date."""
    published = case_date(case)
    when = f"{published.year}, {published:%B} {published.day}" if published else "n.d."
    accessed = accessed or today()
    return f"{LIBRARY_NAME}. ({when}). {one_line(case.title)}. Retrieved {long_date(accessed)}, from {url}"


def bibtex_key(slug, year):
    key = NOT_SLUG.sub("-", slug).strip("-") or "case"
    return f"{key}-{year}" if year else key


def case_bibtex(case, *, url, accessed=None, keywords=()):
    """A BibTeX @misc entry for the case page."""
    published = case_date(case)
    accessed = accessed or today()
    fields = [
        ("title", "{" + bibtex_escape(case.title) + "}"),  # double braces keep the capitals
        ("author", "{" + bibtex_escape(LIBRARY_NAME) + "}"),  # a corporate author, not "Library, Case"
        ("year", str(published.year) if published else ""),
        ("howpublished", r"\url{" + bibtex_url(url) + "}"),
        ("url", bibtex_url(url)),
        ("urldate", accessed.isoformat()),
        (
            "note",
            bibtex_escape(
                ", ".join(filter(None, ["Case study", level_note(case), f"accessed {accessed.isoformat()}"]))
            ),
        ),
        ("abstract", bibtex_escape(case.summary)),
        ("keywords", bibtex_escape(", ".join(keywords))),
    ]
    lines = [f"@misc{{{bibtex_key(case.slug, published.year if published else None)},"]
    lines += [f"  {name} = {{{value}}}," for name, value in fields if value]
    lines[-1] = lines[-1].rstrip(",")
    lines.append("}")
    return "\n".join(lines) + "\n"


def ris_lines(pairs):
    """RIS records: `TAG  - value` lines ending with ER, each value on one line."""
    lines = [f"{tag}  - {one_line(value)}" for tag, value in pairs if one_line(value)]
    lines.append("ER  - ")
    return "\r\n".join(lines) + "\r\n"


def case_ris(case, *, url, accessed=None, keywords=()):
    """An RIS record (type ELEC: a web page) for the case page."""
    published = case_date(case)
    accessed = accessed or today()
    pairs = [
        ("TY", "ELEC"),
        ("TI", case.title),
        ("AU", LIBRARY_NAME),
        ("PY", published.year if published else ""),
        ("DA", f"{published:%Y/%m/%d}" if published else ""),
        ("PB", LIBRARY_NAME),
        ("UR", url),
        ("Y2", f"{accessed:%Y/%m/%d}"),
        ("AB", case.summary),
        *[("KW", keyword) for keyword in keywords],
        ("N1", "Case study"),
        ("N1", level_note(case)),
    ]
    return ris_lines(pairs)


def case_meta(case, *, url):
    """(name, content) pairs of the citation_* (Highwire) and Dublin Core meta tags of a case page."""
    published = case_date(case)
    pairs = [
        ("citation_title", case.title),
        ("citation_author", LIBRARY_NAME),
        ("citation_publisher", LIBRARY_NAME),
        ("citation_publication_date", f"{published:%Y/%m/%d}" if published else ""),
        ("citation_date", f"{published:%Y/%m/%d}" if published else ""),
        ("citation_public_url", url),
        ("citation_language", "en"),
        ("DC.title", case.title),
        ("DC.creator", LIBRARY_NAME),
        ("DC.publisher", LIBRARY_NAME),
        ("DC.date", published.isoformat() if published else ""),
        ("DC.identifier", url),
        ("DC.type", "Text"),
        ("DC.language", "en"),
        ("DC.description", case.summary),
    ]
    return [(name, one_line(content)) for name, content in pairs if one_line(content)]


# --- quotes: a statement of a source at a second ---------------------------------------------------


def source_author(source):
    return one_line(source.channel or source.publisher)


def source_medium(source):
    return {"video": "[Video]", "report": "[Report]"}.get(source.kind, "")


def _time_cited(quote):
    """The quote's time as a citation gives it, with its status when not exact ('01:02:03, time under review')."""
    note = getattr(quote, "time_note", "")
    return f"{quote.timestamp}, {note}" if note else quote.timestamp


def quote_apa(quote, *, seconds_url):
    """An APA-style reference to the quote's source, linked at the quote's second, with the time."""
    source = quote.source
    author = source_author(source)
    when = (
        f"{source.published_on.year}, {source.published_on:%B} {source.published_on.day}"
        if source.published_on
        else "n.d."
    )
    title = " ".join(part for part in (one_line(source.title), source_medium(source)) if part)
    platform = " YouTube." if source.youtube_id else ""
    head = f"{author}. ({when}). {title}." if author else f"{title}. ({when})."
    return f"{head}{platform} {seconds_url} (at {_time_cited(quote)})"


def quote_in_text(quote):
    """The parenthetical in-text citation: author (or title), year, time."""
    source = quote.source
    who = source_author(source) or one_line(source.title)
    year = source.published_on.year if source.published_on else "n.d."
    return f"({who}, {year}, {_time_cited(quote)})"


def quote_meta(quote, *, url):
    source = quote.source
    published = source.published_on
    pairs = [
        ("citation_title", f"{source.title} at {_time_cited(quote)}"),
        ("citation_author", source_author(source) or LIBRARY_NAME),
        ("citation_publication_date", f"{published:%Y/%m/%d}" if published else ""),
        ("citation_date", f"{published:%Y/%m/%d}" if published else ""),
        ("citation_public_url", url),
        ("DC.title", f"{source.title} at {_time_cited(quote)}"),
        ("DC.creator", source_author(source) or LIBRARY_NAME),
        ("DC.date", published.isoformat() if published else ""),
        ("DC.identifier", url),
        ("DC.source", source.link_at(quote.start_second)),
        ("DC.type", "MovingImage" if source.kind == "video" else "Text"),
        ("DC.description", quote.text[:300]),
    ]
    return [(name, one_line(content)) for name, content in pairs if one_line(content)]
