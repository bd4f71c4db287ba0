"""The case page's links to terms (countries, themes, approaches, organisations, challenges, success
factors) in one query, the terms themselves from a per-process table of the library's terms kept
under the library version: six prefetches cost the page 2.7 ms of CPU in Django's prefetch
machinery, this 0.2 ms."""

from django.db import connections

from .. import library_version
from ..models import (
    Approach,
    Case,
    CaseChallenge,
    CaseSuccessFactor,
    Challenge,
    Country,
    Organisation,
    Participation,
    SuccessFactor,
    Theme,
)
from . import case_index

NAMED = ("name", "slug")
# kind: (term model, the fields the pages read, the link model or many-to-many field of Case, the
# attribute set on the case); the terms are read in their model's order, which the links keep.
KINDS = {
    "country": (Country, ("name", "region"), Case.countries, "country_list"),
    "theme": (Theme, NAMED, Case.themes, "theme_list"),
    "approach": (Approach, NAMED, Case.approaches, "approach_list"),
    "organisation": (Organisation, NAMED, Participation, "participation_list"),
    "challenge": (Challenge, NAMED, CaseChallenge, "challenge_links"),
    "success_factor": (SuccessFactor, (*NAMED, "kind"), CaseSuccessFactor, "success_factor_links"),
}


def _terms():
    """{kind: {pk: (rank in the model's order, term)}} of every term of KINDS."""
    terms = {}
    for kind, (model, fields, _link, _attribute) in KINDS.items():
        ordered = model.objects.only(*fields)
        if model is Organisation:
            ordered = ordered.order_by("name")  # a participation's order (role, then organisation name)
        terms[kind] = {term.pk: (rank, term) for rank, term in enumerate(ordered)}
    return terms


def _links_sql(using):
    """One UNION ALL of the case's link rows: (kind, term id, role, note, no-evidence reason)."""
    quote = connections[using].ops.quote_name
    selects = []
    for kind, (_model, _fields, link, _attribute) in KINDS.items():
        if isinstance(link, type):  # a link model with its own columns
            term_column = link._meta.get_field("organisation" if link is Participation else kind).column
            role = quote("role") if link is Participation else "NULL"
            notes = "NULL, NULL" if link is Participation else f"{quote('note')}, {quote('no_evidence_reason')}"
            table, case_column = link._meta.db_table, link._meta.get_field("case").column
        else:  # a many-to-many field's table
            through = link.through
            table = through._meta.db_table
            term_column = link.field.m2m_reverse_name()
            case_column = link.field.m2m_column_name()
            role, notes = "NULL", "NULL, NULL"
        # Country codes are text, other ids numbers: both as text.
        selects.append(
            f"SELECT '{kind}', CAST({quote(term_column)} AS VARCHAR(40)), {role}, {notes} "
            f"FROM {quote(table)} WHERE {quote(case_column)} = %s"
        )
    return " UNION ALL ".join(selects)


def attach_case_links(case):
    """Sets on `case` (fetched with Case.objects.for_case_page()) what the page shows of its links,
    and returns it: `country_list`, `theme_list`, `approach_list` (terms in their order, by name),
    `participation_list` (Participation rows by role, then organisation name), `challenge_links`
    and `success_factor_links` (CaseChallenge and CaseSuccessFactor rows in their models' order,
    each with its term, note and no-evidence reason). Unsaved rows built from the query: read them,
    never save them. One query, and the terms' table (library_version.memoized: one query for the
    version outside a cached page, a few thousand rows read once per version and process)."""
    using = case._state.db or "default"
    terms = _Terms(using)
    with connections[using].cursor() as cursor:
        cursor.execute(_links_sql(using), [case.pk] * len(KINDS))
        rows = cursor.fetchall()
    found = {kind: [] for kind in KINDS}
    for kind, term_id, role, note, reason in rows:
        ranked = terms.get(kind, KINDS[kind][0]._meta.pk.to_python(term_id))
        if ranked is not None:
            found[kind].append((*ranked, role, note, reason))
    for kind, (_model, _fields, link, attribute) in KINDS.items():
        # By role, then the term's rank (a participation), or the term's rank alone.
        linked = sorted(found[kind], key=lambda row: (row[2] or "", row[0]))
        if not isinstance(link, type):
            value = [term for _rank, term, *_rest in linked]
        elif link is Participation:
            value = [Participation(case=case, organisation=term, role=role) for _rank, term, role, *_ in linked]
        else:
            value = [
                link(case=case, note=note, no_evidence_reason=reason, **{kind: term})
                for _rank, term, _role, note, reason in linked
            ]
        setattr(case, attribute, value)
    return case


def attach_countries(cases, *, using="default"):
    """Sets `country_list` (its countries by name, as attach_case_links does) on each of `cases`,
    published cases, and returns them: read from the library's bitmaps (case_index: each country's
    published cases) and the terms' table, with no query. For a few cases (a case page's most
    alike: a prefetch cost the page 1.2 ms); lists of case cards prefetch their countries."""
    version = library_version.in_use(using=using)  # read once (the admin's preview is not cached())
    terms = _Terms(using, version=version)
    options = case_index.current(version=version, using=using).options["country"]
    for case in cases:
        ranked = (terms.get("country", code.upper()) for code, ids in options.items() if case.pk in ids)
        # By rank alone: after a fresh read two tables' ranks may meet, and terms do not compare.
        found = sorted((found for found in ranked if found is not None), key=lambda found: found[0])
        case.country_list = [country for _rank, country in found]
    return cases


class _Terms:
    """The terms' table of the library version (_terms, memoized) for one page, read again from the
    database when a link names a term it lacks. The version, the table and the bitmaps are each
    read once per version, not in one snapshot: a curator's write committed between them (a country
    created and linked, or deleted) can leave one naming a term the other lacks. A term the fresh
    table lacks too was deleted since: left out, as the page rendered after that write shows it."""

    def __init__(self, using, *, version=None):
        self.table = library_version.memoized("case-link-terms", _terms, version=version, using=using)
        self.fresh = False

    def get(self, kind, pk):
        """(rank in its model's order, term) of the term `pk` of `kind`, or None when there is none."""
        found = self.table[kind].get(pk)
        if found is None and not self.fresh:
            self.table, self.fresh = _terms(), True
            found = self.table[kind].get(pk)
        return found
