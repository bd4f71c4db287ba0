"""The claims of many cases at once, their evidence as quote ids, in a bounded number of queries:
for the matrix, the exports, the workflow's publishing check and the admin's health page."""

from django.db import connections

from .. import library_version
from ..models import (
    STORY_FIELDS,
    Case,
    CaseChallenge,
    CaseSuccessFactor,
    Challenge,
    Quote,
    StoryEvidence,
    StorySection,
    SuccessFactor,
)
from ..search.service import among_ids_sql
from .claim import CHALLENGE, FACTOR, SECTION_NUMBERS, STORY, SUMMARY, TERM_CLAIMS, Claim

TERM_CLAIMS_BY_MODEL = {kind.term_model: kind for kind in TERM_CLAIMS}


def _among_sql(case_ids, connection):
    """SQL testing that a column is one of `case_ids`, with `{}` where the column goes, and its
    parameters: a list as ONE parameter (cases.search.service.among_ids_sql: an IN list, repeated
    in every part of the UNION, cost more Python than the rows it read); a queryset (a
    values("pk")) as a subquery."""
    if isinstance(case_ids, (list, tuple)):
        return among_ids_sql("{}", [int(pk) for pk in case_ids], connection.vendor)
    sql, params = case_ids.query.sql_with_params()
    return f"{{}} IN ({sql})", list(params)


def evidence_rows(case_ids, *, summary=True, by_slug=False):
    """The link rows that decide the claims of the cases `case_ids` (a list or a values("pk")
    queryset), in one query: tuples (case id, group, term id, quote id) where quote id 0 marks a
    claim (one row per challenge or success factor claimed) and a non-zero one a quote that
    supports it. With `summary`, every quote of each case comes too as (case id, SUMMARY, 0, quote id).

    With `by_slug`, terms are named by their slug instead of their id (the summary's by "").
    One UNION ALL of link-table selects, so the caller's query count does not grow with the cases.
    A list of tuples.

    Hand-written SQL: the ORM reaches a quote's challenges only through the quote's own row and
    an EXISTS per link, which read three times the rows; here a quote supports a claimed term
    when its link to the case and its link to the term meet the claim row in one join, which the
    planner starts from the (few) claim rows of the cases.
    """
    connection = connections[Case.objects.db]
    among, among_params = _among_sql(case_ids, connection)
    table = {
        name: model._meta.db_table
        for name, model in {
            "case": Case,
            "case_challenge": CaseChallenge,
            "case_factor": CaseSuccessFactor,
            "challenge": Challenge,
            "factor": SuccessFactor,
            "quote_cases": Quote.cases.through,
            "quote_challenges": Quote.challenges.through,
            "quote_factors": Quote.success_factors.through,
            "story": StoryEvidence,
            "story_quotes": StoryEvidence.quotes.through,
        }.items()
    }
    parts, params = [], []
    unary = "+" if connection.vendor == "sqlite" else ""

    def part(sql, column):
        parts.append(f"{sql} WHERE {among.format(column)}")
        params.extend(among_params)

    for group, claims, term_table, term_column, links, link_column in (
        (CHALLENGE, "case_challenge", "challenge", "challenge_id", "quote_challenges", "challenge_id"),
        (FACTOR, "case_factor", "factor", "success_factor_id", "quote_factors", "successfactor_id"),
    ):
        term = "term.slug" if by_slug else f"claim.{term_column}"
        join_term = f" JOIN {table[term_table]} term ON term.id = claim.{term_column}" if by_slug else ""
        part(f"SELECT claim.case_id, '{group}', {term}, 0 FROM {table[claims]} claim{join_term}", "claim.case_id")
        part(
            f"SELECT claim.case_id, '{group}', {term}, link.quote_id FROM {table[claims]} claim "
            f"JOIN {table['quote_cases']} link ON link.case_id = claim.case_id "
            # SQLite: the unary + keeps it off the index of a term's quotes (thousands a term): it
            # reads the case's quote links, then each quote's terms (a few). PostgreSQL takes the
            # same path from the plain comparison; with the +, it hashed every quote's terms instead.
            f"JOIN {table[links]} tagged ON tagged.quote_id = link.quote_id "
            f"AND {unary}tagged.{link_column} = claim.{term_column}"
            f"{join_term}",
            "claim.case_id",
        )
    for section in StorySection:
        term = f"'{section.value}'" if by_slug else str(SECTION_NUMBERS[section])
        part(
            f"SELECT item.id, '{STORY}', {term}, 0 FROM {table['case']} item",
            f"item.{section.field_name} <> '' AND item.id",
        )
    if by_slug:
        section_term = "story.section"
    else:
        section_term = (
            "CASE story.section "
            + " ".join(f"WHEN '{section.value}' THEN {number}" for section, number in SECTION_NUMBERS.items())
            + " ELSE 0 END"
        )
    part(
        f"SELECT story.case_id, '{STORY}', {section_term}, link.quote_id FROM {table['story_quotes']} link "
        f"JOIN {table['story']} story ON story.id = link.storyevidence_id",
        "story.case_id",
    )
    if summary:
        no_term = "''" if by_slug else "0"
        part(
            f"SELECT link.case_id, '{SUMMARY}', {no_term}, link.quote_id FROM {table['quote_cases']} link",
            "link.case_id",
        )
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return cursor.fetchall()


def evidence_by_claim(rows, *, case_ids=()):
    """{case id: {(group, term id or slug): [supporting quote ids, ascending]}} from `evidence_rows`.

    Every claimed challenge and success factor has a key (an empty list: not evidenced). The
    summary's key is (SUMMARY, 0); it is there for the cases in `case_ids` and for those with a
    quote, when the rows hold the summary's.
    """
    claims, quotes_of_case = {}, {}
    for case_id in case_ids:
        claims.setdefault(case_id, {})[(SUMMARY, 0)] = set()
    supporting = []
    for case_id, group, term_id, quote_id in rows:
        if group == SUMMARY:
            quotes_of_case.setdefault(case_id, set()).add(quote_id)
        elif quote_id:
            supporting.append((case_id, group, term_id, quote_id))
        else:
            claims.setdefault(case_id, {})[(group, term_id)] = set()
    claimed = {}
    for case_id, group, term_id, quote_id in supporting:
        # The rows hold only quotes of claimed terms (the join above), but a claim removed between
        # two reads must not resurrect: keep those whose claim row came too.
        if (group, term_id) in claims.get(case_id, {}):
            claims[case_id][(group, term_id)].add(quote_id)
            claimed.setdefault(case_id, set()).add(quote_id)
    for case_id, quote_ids in quotes_of_case.items():
        claims.setdefault(case_id, {})[(SUMMARY, 0)] = quote_ids - claimed.get(case_id, set())
    return {
        case_id: {key: sorted(quote_ids) for key, quote_ids in by_key.items()} for case_id, by_key in claims.items()
    }


def claims_of(cases):
    """The claims of each case of `cases` (a queryset), as Claim objects whose `evidence` is a
    list of quote ids: {case id: [summary, challenges…, success factors…]}, in the page's order.

    Five queries whatever the number of cases: the cases, their story-evidence reasons, their
    challenge and success-factor links (with the terms), and the evidence rows.
    """
    cases = {
        case.pk: case
        # defer(None): a caller's deferred story fields (the admin's case list) would be read one by one.
        for case in cases.defer(None).only("pk", "slug", "title", "status", "summary_no_evidence_reason", *STORY_FIELDS)
    }
    evidence = evidence_by_claim(evidence_rows(list(cases)), case_ids=list(cases))
    claims = {pk: [Claim(case, SUMMARY, reason=case.summary_no_evidence_reason)] for pk, case in cases.items()}
    reasons = {
        (case_id, section): reason
        for case_id, section, reason in StoryEvidence.objects.filter(case_id__in=list(cases))
        .exclude(no_evidence_reason="")
        .values_list("case_id", "section", "no_evidence_reason")
    }
    for pk, case in cases.items():
        for section, _text in case.story:
            claims[pk].append(Claim(case, STORY, section, reason=reasons.get((pk, section.value), "")))
    for kind in TERM_CLAIMS:
        for link in kind.link_model.objects.select_related(kind.term_field).filter(case_id__in=list(cases)):
            claims[link.case_id].append(
                Claim(
                    cases[link.case_id], kind.group, getattr(link, kind.term_field), link.note, link.no_evidence_reason
                )
            )
    for pk, case_claims in claims.items():
        for claim in case_claims:
            claim.evidence = evidence.get(pk, {}).get(claim.key, [])
            claim.evidence_total = len(claim.evidence)
    return claims


def _claims_of_case(case):
    """The claims of the one case `case`, as claims_of builds them (five queries)."""
    return claims_of(Case.objects.filter(pk=case.pk)).get(case.pk, [])


def failing_claims(case):
    """The claims of `case` that stop its publication: no supporting quote and no recorded reason."""
    return blocking(_claims_of_case(case))


def blocking(claims):
    """The claims of `claims` with neither a supporting quote nor a recorded reason."""
    return [claim for claim in claims if not claim.evidenced and not claim.reason.strip()]


def unevidenced_claims(cases):
    """Every claim of `cases` (a queryset) that has no supporting quote, reason or not, case by case."""
    return [claim for case_claims in claims_of(cases).values() for claim in case_claims if not claim.evidenced]


def unevidenced_count(cases):
    """How many claims of `cases` (a queryset) have no supporting quote: two queries, no model instances."""
    case_ids = cases.order_by().values("pk")
    by_case = evidence_by_claim(evidence_rows(case_ids), case_ids=list(case_ids.values_list("pk", flat=True)))
    return sum(1 for claims in by_case.values() for quote_ids in claims.values() if not quote_ids)


def evidenced_claim_counts(term_model):
    """{term id: how many published cases claim it with a supporting quote} for Challenge or
    SuccessFactor (`term_model`; KeyError for any other model): the claims evidenced by the rule of this module (a quote linked to
    the case and to the term). One aggregate query over every term at once: the quotes' term links
    joined to their case links and to the claims, cases counted once per term.

    SQL because the ORM would join the two link tables through the quotes' table (200,000 rows more
    to read); counted per term in a correlated subquery it read each term's links again (2.3 s for
    10 challenges at 15,000 claims, load 12), as a semi-join 1.0 s, as this join 0.45 s.
    """
    kind = TERM_CLAIMS_BY_MODEL[term_model]
    links, term_column = kind.link_model, f"{kind.term_field}_id"
    quote_terms, term_of_quote = kind.quote_links
    sql = (
        f"SELECT claim.{term_column}, count(DISTINCT claim.case_id) FROM {quote_terms._meta.db_table} AS quote_term "
        f"JOIN {Quote.cases.through._meta.db_table} AS quote_case ON quote_case.quote_id = quote_term.quote_id "
        f"JOIN {links._meta.db_table} AS claim ON claim.case_id = quote_case.case_id "
        f"AND claim.{term_column} = quote_term.{term_of_quote} "
        f"JOIN {Case._meta.db_table} AS claimed ON claimed.id = claim.case_id AND claimed.status = %s "
        f"GROUP BY claim.{term_column}"
    )
    using = links.objects.db

    def count():
        with connections[using].cursor() as cursor:
            cursor.execute(sql, [Case.Status.PUBLISHED])
            return dict(cursor.fetchall())

    # Every table it reads is watched by the library version: a repeated view costs one query.
    return library_version.memoized("evidenced_claim_counts", count, key=term_model.__name__, using=using)


def claim_of(case, slug):
    """The claim of `case` named `slug` ("summary", "challenge:SLUG", "success-factor:SLUG"), with
    its evidence as quote ids and its note; None when the case makes no such claim."""
    for claim in _claims_of_case(case):
        if claim.slug == slug:
            return claim
    return None
