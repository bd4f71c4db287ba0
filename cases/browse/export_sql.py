"""The one query a chunk of the case export runs: each case's links and claims aggregated by the
database, as JSON arrays (the JSON export: Python parses them) or as the CSV export's cells (lists
`;`-joined, the claims cell: Python writes them as they come).

Hand-written SQL, one text per database kept here: SQLite (3.40 here) has no ORDER BY inside an
aggregate, so it aggregates ordered correlated subqueries case by case; PostgreSQL runs a
correlated subquery per case and claim slowly (a plan node started 14 times a case) and
aggregates grouped joins with ORDER BY in the aggregate instead. Both give the same text.

The claims follow the rule of cases.claims (evidence_rows, evidence_by_claim): a quote supports a
claimed challenge or success factor when it is linked to the case and to the term, a story
section with text through its StoryEvidence row, and the summary is supported by the case's
quotes that support none of its claims. tests/test_exports.py compares the two. The JSON and the
CSV texts are built from the same SQL (the claims, their quotes, the orders); only the aggregate
that writes a list differs (`as_text`).
"""

from django.db import connections

from ..claims import CHALLENGE, FACTOR, STORY, SUMMARY
from ..models import (
    STORY_FIELDS,
    Case,
    CaseChallenge,
    CaseSuccessFactor,
    Participation,
    Quote,
    StoryEvidence,
    StorySection,
    SupportingLink,
)

# What str.strip() removes (every character whose isspace() is true; a test checks): a story
# section is a claim when its text has anything else (Case.story).
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
# (group number, link model, term field, the columns of the term that order it, the claim's group);
# the challenges have no kind, their claims sort with '' there.
TERM_CLAIMS = (
    (2, CaseChallenge, "challenge", ['term."order"', "term.name"], CHALLENGE),
    (3, CaseSuccessFactor, "success_factor", ["term.kind", 'term."order"', "term.name"], FACTOR),
)
QUOTE_TERM_LINKS = {CaseChallenge: Quote.challenges, CaseSuccessFactor: Quote.success_factors}
# What joins the CSV cells (exports.case_csv_lines): a list's values, a claim's quote URLs, the
# claims; what a claim without quotes says.
LIST_SEPARATOR = ";"
QUOTE_SEPARATOR = " "
CLAIM_SEPARATOR = "; "
NOT_EVIDENCED = "not yet evidenced"


def _table(model):
    return model._meta.db_table


def _column(model, field):
    return model._meta.get_field(field).column


def _related_table(model, field):
    return _table(model._meta.get_field(field).related_model)


def _claim_order(order):
    """The three columns (kind, rank, name) a term's claims sort by among the claims of a case."""
    return ", ".join(order if len(order) == 3 else ["''", *order])


def link_arrays():
    """{field: (value, rows, case column, order)}: each exported link of a case as SQL, the
    values as the case page names them (`slug`, `slug:role`, `kind:url`) in its order, the link's
    id last; `rows` is a FROM clause, `case column` the column naming the case."""
    arrays = {}
    countries = Case.countries.through
    country = _column(countries, "country")
    arrays["countries"] = (
        f"link.{country}",
        f"FROM {_table(countries)} link",
        f"link.{_column(countries, 'case')}",
        f"link.{country}, link.id",
    )
    arrays["organisations"] = (
        "term.slug || ':' || link.role",
        f"FROM {_table(Participation)} link JOIN {_related_table(Participation, 'organisation')} term "
        f"ON term.id = link.{_column(Participation, 'organisation')}",
        f"link.{_column(Participation, 'case')}",
        "link.role, term.name, link.id",
    )
    for field, term_field in (("themes", "theme"), ("approaches", "approach")):
        through = getattr(Case, field).through
        arrays[field] = (
            "term.slug",
            f"FROM {_table(through)} link JOIN {_related_table(through, term_field)} term "
            f"ON term.id = link.{_column(through, term_field)}",
            f"link.{_column(through, 'case')}",
            "term.name, link.id",
        )
    for (_group, model, term_field, order, _name), field in zip(TERM_CLAIMS, ("challenges", "success_factors")):
        arrays[field] = (
            "term.slug",
            f"FROM {_table(model)} link JOIN {_related_table(model, term_field)} term "
            f"ON term.id = link.{_column(model, term_field)}",
            f"link.{_column(model, 'case')}",
            f"{', '.join(order)}, link.id",
        )
    arrays["supporting_links"] = (
        "link.kind || ':' || link.url",
        f"FROM {_table(SupportingLink)} link",
        f"link.{_column(SupportingLink, 'case')}",
        'link."order", link.title, link.id',
    )
    return arrays


def _support():
    """SQL of the rows (case_id, grp, claim_id, quote_id): each quote supporting a claim of a case
    of `chunk` (grp 1 a story section with claim_id its number, 2 a challenge and 3 a success
    factor with claim_id the link's id)."""
    quote_cases = Quote.cases.through
    parts = []
    for group, model, term_field, _order, _name in TERM_CLAIMS:
        quote_terms = QUOTE_TERM_LINKS[model].through
        term_of_quote = QUOTE_TERM_LINKS[model].field.m2m_reverse_name()
        parts.append(
            f"SELECT link.case_id, {group}, claim.id, link.quote_id FROM chunk "
            f"JOIN {_table(quote_cases)} link ON link.case_id = chunk.id "
            f"JOIN {_table(quote_terms)} tag ON tag.quote_id = link.quote_id "
            f"JOIN {_table(model)} claim ON claim.{_column(model, 'case')} = link.case_id "
            f"AND claim.{_column(model, term_field)} = tag.{term_of_quote}"
        )
    # A section's quotes count when the section has text (evidence_rows: `<> ''`, not stripped).
    number = " ".join(f"WHEN '{section.value}' THEN {index}" for index, section in enumerate(StorySection))
    has_text = " ".join(f"WHEN '{section.value}' THEN teller.{section.field_name} <> ''" for section in StorySection)
    told = StoryEvidence.quotes.through
    parts.append(
        f"SELECT story.case_id, 1, CASE story.section {number} END, told.quote_id FROM chunk "
        f"JOIN {_table(StoryEvidence)} story ON story.case_id = chunk.id "
        f"JOIN {_table(told)} told ON told.storyevidence_id = story.id "
        f"JOIN {_table(Case)} teller ON teller.id = story.case_id "
        f"WHERE CASE story.section {has_text} ELSE 1 = 0 END"
    )
    return " UNION ALL ".join(parts)


def _sqlite(*, as_text=False):
    """(SQL, the names of its parameters after the ids) of the chunk's aggregates on SQLite: correlated subqueries
    on each case `item`, the supporting quotes read once for the chunk (an automatic index on
    them serves each case's lookups). `as_text`: the CSV cells instead of JSON arrays."""
    params = []

    def array(value, rows, order, separator=LIST_SEPARATOR):
        # group_concat of no row is NULL, json_group_array '[]'.
        gather = f"group_concat(v, '{separator}')" if as_text else "json_group_array(v)"
        return f"(SELECT {gather} FROM (SELECT {value} AS v {rows} ORDER BY {order}))"

    links = [
        array(value, f"{rows} WHERE {case} = item.id", order) for value, rows, case, order in link_arrays().values()
    ]
    if as_text:
        links = [f"coalesce({link}, '')" for link in links]

    def quote_urls(quote_id, rows):
        """The URLs of the quotes `quote_id` of `rows`, ids ascending (NULL or '[]' for none)."""
        if as_text:
            # Two concatenations a claim instead of two a quote: the ids joined by what ends a URL
            # and starts the next.
            params.extend(["prefix", "between", "suffix"])
            return f"(SELECT %s || group_concat(v, %s) || %s FROM (SELECT {quote_id} AS v {rows} ORDER BY {quote_id}))"
        params.extend(["prefix", "suffix"])
        return array(f"%s || {quote_id} || %s", rows, quote_id)

    quote_cases = _table(Quote.cases.through)
    parts = [
        f"SELECT 0 AS grp, '' AS kind, 0 AS rank, '' AS name, 0 AS id, '{SUMMARY}' AS claim, "
        + quote_urls(
            "link.quote_id",
            f"FROM {quote_cases} link WHERE link.case_id = item.id AND NOT EXISTS "
            "(SELECT 1 FROM support WHERE support.case_id = item.id AND support.quote_id = link.quote_id)",
        )
        + " AS quotes"
    ]

    def supporting(group, claim_id):
        return quote_urls(
            "support.quote_id",
            f"FROM support WHERE support.case_id = item.id AND support.grp = {group} AND support.claim_id = {claim_id}",
        )

    for index, section in enumerate(StorySection):
        quotes = supporting(1, index)
        parts.append(
            f"SELECT 1, '', {index}, '', {index}, '{STORY}:{section.value}', {quotes} "
            f"WHERE trim(item.{section.field_name}, %s) <> ''"
        )
        params.append("whitespace")
    for group, model, term_field, order, name in TERM_CLAIMS:
        quotes = supporting(group, "claim.id")
        parts.append(
            f"SELECT {group}, {_claim_order(order)}, claim.id, '{name}:' || term.slug, {quotes} "
            f"FROM {_table(model)} claim JOIN {_related_table(model, term_field)} term "
            f"ON term.id = claim.{_column(model, term_field)} WHERE claim.{_column(model, 'case')} = item.id"
        )
    if as_text:
        gather = f"group_concat(claim || ': ' || coalesce(quotes, '{NOT_EVIDENCED}'), '{CLAIM_SEPARATOR}')"
    else:
        gather = (
            "json_group_array(json_object('claim', claim, 'evidenced', "
            "json(CASE WHEN quotes = '[]' THEN 'false' ELSE 'true' END), 'quotes', json(quotes)))"
        )
    claims = f"(SELECT {gather} FROM ({' UNION ALL '.join(parts)} ORDER BY grp, kind, rank, name, id))"
    sql = (
        "WITH chunk(id) AS (SELECT value FROM json_each(%s)), "
        f"support(case_id, grp, claim_id, quote_id) AS MATERIALIZED ({_support()}) "
        f"SELECT item.id, {', '.join(links)}, {claims} FROM chunk JOIN {_table(Case)} item ON item.id = chunk.id"
    )
    return sql, params


def _postgresql(*, as_text=False):
    """(SQL, the names of its parameters after the ids) of the chunk's aggregates on PostgreSQL: the links by
    correlated subqueries with ordered aggregates, the claims by grouped joins (a correlated
    subquery per claim started a plan node thousands of times a chunk). `as_text`: the CSV cells
    instead of JSON arrays."""
    params = []

    def gather(value, order, separator):
        # The aggregate of no row is NULL for both.
        return (
            f"string_agg({value}, '{separator}' ORDER BY {order})" if as_text else f"json_agg({value} ORDER BY {order})"
        )

    empty = "''" if as_text else "'[]'::json"
    links = [
        f"(SELECT coalesce({gather(value, order, LIST_SEPARATOR)}, {empty}) {rows} WHERE {case} = chunk.id)::text"
        for value, rows, case, order in link_arrays().values()
    ]
    # The story sections of each case from its row in `chunk` (a join per section, or even one, made
    # the planner hash the whole table of cases).
    sections = ", ".join(
        f"({index}, '{STORY}:{section.value}', chunk.{section.field_name})"
        for index, section in enumerate(StorySection)
    )
    others = [
        "SELECT chunk.id, 1, '', section.rank, '', section.rank, section.claim FROM chunk "
        f"CROSS JOIN LATERAL (VALUES {sections}) AS section(rank, claim, text) WHERE btrim(section.text, %s) <> ''"
    ]
    params.append("whitespace")
    for group, model, term_field, order, name in TERM_CLAIMS:
        others.append(
            f"SELECT claim.{_column(model, 'case')}, {group}, {_claim_order(order)}, claim.id, '{name}:' || term.slug "
            f"FROM chunk JOIN {_table(model)} claim ON claim.{_column(model, 'case')} = chunk.id "
            f"JOIN {_related_table(model, term_field)} term ON term.id = claim.{_column(model, term_field)}"
        )
    quote_cases = _table(Quote.cases.through)
    params += ["prefix", "suffix", "prefix", "suffix"]
    if as_text:
        claim = f"claim || ': ' || coalesce(quotes, '{NOT_EVIDENCED}')"
    else:
        claim = (
            "json_build_object('claim', claim, 'evidenced', quotes IS NOT NULL, 'quotes', coalesce(quotes, '[]'::json))"
        )
    sql = (
        f"WITH chunk AS (SELECT id, {', '.join(STORY_FIELDS)} FROM {_table(Case)} WHERE id = ANY(%s::bigint[])), "
        f"support(case_id, grp, claim_id, quote_id) AS MATERIALIZED ({_support()}), "
        f"others(case_id, grp, kind, rank, name, claim_id, claim) AS ({' UNION ALL '.join(others)}), "
        f"summary(case_id, quotes) AS (SELECT link.case_id, {gather('%s || link.quote_id || %s', 'link.quote_id', QUOTE_SEPARATOR)} "
        f"FROM chunk JOIN {quote_cases} link ON link.case_id = chunk.id WHERE NOT EXISTS (SELECT 1 FROM support "
        "WHERE support.case_id = link.case_id AND support.quote_id = link.quote_id) GROUP BY link.case_id), "
        "claimed(case_id, grp, kind, rank, name, claim_id, claim, quotes) AS ("
        f"SELECT chunk.id, 0, '', 0, '', 0, '{SUMMARY}', summary.quotes FROM chunk "
        "LEFT JOIN summary ON summary.case_id = chunk.id UNION ALL "
        f"SELECT others.*, {gather('%s || support.quote_id || %s', 'support.quote_id', QUOTE_SEPARATOR)} "
        "FILTER (WHERE support.quote_id IS NOT NULL) FROM others LEFT JOIN support ON support.case_id = others.case_id "
        "AND support.grp = others.grp AND support.claim_id = others.claim_id GROUP BY 1, 2, 3, 4, 5, 6, 7), "
        f"claims(case_id, a) AS (SELECT case_id, {gather(claim, 'grp, kind, rank, name, claim_id', CLAIM_SEPARATOR)}::text "
        "FROM claimed GROUP BY case_id) "
        f"SELECT chunk.id, {', '.join(links)}, claims.a FROM chunk JOIN claims ON claims.case_id = chunk.id"
    )
    return sql, params


def case_aggregates(case_ids, *, quote_url, as_text=False):
    """{case id: [countries, organisations, themes, approaches, challenges, success_factors,
    supporting_links, claims]} for the cases `case_ids` (ints), each a JSON array as text: the
    links as exports.LIST_FIELDS lists them, the claims as [{"claim": "summary" | "story:SECTION" |
    "challenge:SLUG" | "success-factor:SLUG", "evidenced": bool, "quotes": [quote URL, …]}] in the
    case page's order, quote ids ascending, a quote's URL `quote_url[0] + id + quote_url[1]`.
    With `as_text`, each is instead its CSV cell (before the formula guard): a list's values
    joined by LIST_SEPARATOR, the claims as `claim: url url` or `claim: not yet evidenced` joined by
    CLAIM_SEPARATOR.
    One query. A case deleted since `case_ids` were read is left out.
    """
    connection = connections[Case.objects.db]
    if connection.vendor == "postgresql":
        sql, slots = _postgresql(as_text=as_text)
        ids = [int(pk) for pk in case_ids]
    else:
        sql, slots = _sqlite(as_text=as_text)
        ids = "[" + ",".join(str(int(pk)) for pk in case_ids) + "]"
    values = {
        "prefix": quote_url[0],
        "suffix": quote_url[1],
        "between": quote_url[1] + QUOTE_SEPARATOR + quote_url[0],
        "whitespace": WHITESPACE,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, [ids, *(values[slot] for slot in slots)])
        return {case_id: aggregates for case_id, *aggregates in cursor.fetchall()}
