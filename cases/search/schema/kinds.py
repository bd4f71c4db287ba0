"""What the search index holds: its tables' names, the indexed kinds, their views, and the rules that refresh them."""

import re
from dataclasses import dataclass

FTS_TABLE = "cases_search_fts"  # SQLite
VOCAB_TABLE = "cases_search_vocab"  # SQLite: a temp table per connection (suggest.py), so no file holds it
ENTRY_TABLE = "cases_search_entry"  # PostgreSQL
WORD_TABLE = "cases_search_word"  # PostgreSQL
CONFIG = "kb_search"  # PostgreSQL
TEXT_FUNCTION = "cases_search_text"  # both: Python on SQLite (see sqlite.register_sqlite_functions)
KIND_BITS = 16
# While a transaction defers the index (cases.search.deferral), its triggers record here the entry
# ids they would refresh, and one set-based refresh re-indexes them before it ends. SQLite: a table
# of the database, holding rows only inside the deferring transaction (its single writer means no
# other connection writes meanwhile, and its readers never see them), with DEFERRED_MARK as the
# flag the triggers test; PostgreSQL: a temporary table of the deferring session, and the flag a
# transaction-local setting, so other sessions' writes are indexed by their own triggers.
PENDING_TABLE = "cases_search_pending"
DEFERRED_MARK = -1  # SQLite: the pending row saying "deferred" (no entry id is negative)
DEFERRED_SETTING = "cases.search_deferred"  # PostgreSQL: 'on' while deferred (set_config(…, true))


@dataclass(frozen=True)
class IndexedKind:
    code: int
    name: str
    table: str
    key: str  # the primary key column
    document: str  # SELECT … AS title, … AS names, … AS body FROM {table} AS item …, with {agg} for a text aggregate
    integer_key: bool = True

    @property
    def columns(self):
        """The columns of its own table that its entry reads (`item.<column>` in `document`), sorted:
        an update that changes none of them leaves the entry as it is, so no trigger refreshes it."""
        return tuple(sorted({self.key, *re.findall(r"\bitem\.(\w+)", self.document)}))


def simple_kind(code, name, table, title, names="''", body="''"):
    """A kind indexing every row of `table` (key `id`): `title`, `names` and `body` are SQL over `item`."""
    return IndexedKind(
        code, name, table, "id", f"SELECT {title} AS title, {names} AS names, {body} AS body FROM {table} AS item"
    )


# Tables whose rows name the cases they link (case_id), and the taxonomy kind each names.
CASE_LINKS = (
    ("cases_case_countries", "country_id", "country"),
    ("cases_participation", "organisation_id", "organisation"),
    ("cases_case_themes", "theme_id", "theme"),
    ("cases_case_approaches", "approach_id", "approach"),
    ("cases_casechallenge", "challenge_id", "challenge"),
    ("cases_casesuccessfactor", "success_factor_id", "success_factor"),
)
# The terms that are public only while a published case links to them (TaxonomyQuerySet.public():
# their pages and the API's lists show no other), so only those are indexed: a term only drafts
# link to is in no result, count or suggestion. Countries, challenges and success factors are fixed
# lists whose every item has a page, with or without cases.
PUBLISHED_ONLY_TERMS = ("organisation", "theme", "approach")
LINKS_BY_TERM = {named: (link_table, link_column) for link_table, link_column, named in CASE_LINKS}


def term_kind(code, name, table, body="''"):
    """A taxonomy kind indexing every row of `table` or, in PUBLISHED_ONLY_TERMS, the rows a published case links to."""
    kind = simple_kind(code, name, table, "item.name", body=body)
    if name not in PUBLISHED_ONLY_TERMS:
        return kind
    link_table, link_column = LINKS_BY_TERM[name]
    published = (
        f" WHERE EXISTS (SELECT 1 FROM {link_table} AS link JOIN cases_case AS linked ON linked.id = link.case_id "
        f"WHERE link.{link_column} = item.id AND linked.status = 'published')"
    )
    return IndexedKind(code, name, table, kind.key, kind.document + published)


# The taxonomy a case links to, in the order of its names in the case's entry.
TAXONOMY_KINDS = (
    IndexedKind(
        6,
        "country",
        "cases_country",
        "code",
        "SELECT item.name AS title, item.code AS names, '' AS body FROM cases_country AS item",
        integer_key=False,
    ),
    term_kind(7, "organisation", "cases_organisation"),
    term_kind(8, "theme", "cases_theme", body="item.description"),
    term_kind(9, "approach", "cases_approach", body="item.description"),
    term_kind(10, "challenge", "cases_challenge", body="item.description"),
    term_kind(11, "success_factor", "cases_successfactor", body="item.description"),
)


def _case_names():
    """SQL of the names a case's entry holds: every linked term's name (a country's code too)."""
    named_kinds = {kind.name: kind for kind in TAXONOMY_KINDS}
    parts = []
    for link_table, link_column, named in CASE_LINKS:
        target = named_kinds[named]
        label = "named.name || ' ' || named.code" if named == "country" else "named.name"
        parts.append(
            f"coalesce((SELECT {{agg}}({label}, ' ') FROM {link_table} AS link JOIN {target.table} AS named "
            f"ON named.{target.key} = link.{link_column} WHERE link.case_id = item.id), '')"
        )
    return " || ' ' || ".join(parts)


CASE_NAMES = _case_names()


def case_kind(body_columns):
    """The case's entry: its title, the names it links to, and the text of `body_columns`."""
    body = " || ' ' || ".join(f"coalesce(item.{column}, '')" for column in body_columns)
    return IndexedKind(
        1,
        "case",
        "cases_case",
        "id",
        f"SELECT item.title AS title, {CASE_NAMES} AS names, {body} AS body "
        "FROM cases_case AS item WHERE item.status = 'published'",
    )


# The case story's sections (migration 0016) are body text too, after the free body.
CASE_BODY_COLUMNS = (
    "summary",
    "body",
    "story_problem",
    "story_innovation",
    "story_stakeholders",
    "story_results",
    "story_failures",
    "story_conditions",
    "story_replication",
    "story_lessons",
)

KINDS = (
    case_kind(CASE_BODY_COLUMNS),
    simple_kind(2, "quote", "cases_quote", "''", "item.heading_path", "item.text"),
    simple_kind(3, "document", "cases_document", "item.title", body="item.body"),
    simple_kind(4, "source", "cases_source", "item.title", "item.channel || ' ' || item.publisher"),
    simple_kind(5, "topic", "cases_topic", "item.label"),
    *TAXONOMY_KINDS,
)
KINDS_BY_NAME = {kind.name: kind for kind in KINDS}
KINDS_BY_TABLE = {kind.table: kind for kind in KINDS}
# What migration 0013 created, before the case had story columns (a fresh database runs it first).
KINDS_0013 = (case_kind(("summary", "body")), *KINDS[1:])


def country_number(code_sql, char_function):
    """A two-letter code as 0..675, so a country's entry id is an integer like every other."""
    return f"(({char_function}(substr({code_sql}, 1, 1)) - 65) * 26 + {char_function}(substr({code_sql}, 2, 1)) - 65)"


def country_code(number):
    """The two-letter code of country_number()'s result."""
    return chr(65 + number // 26) + chr(65 + number % 26)


def entry_id_sql(kind, key_sql, vendor):
    """SQL of the entry id of the `kind` item whose key `key_sql` gives (`key * KIND_BITS + code`)."""
    if kind.integer_key:
        return f"({key_sql}) * {KIND_BITS} + {kind.code}"
    return f"{country_number(key_sql, 'unicode' if vendor == 'sqlite' else 'ascii')} * {KIND_BITS} + {kind.code}"


def key_of_entry_sql(kind, entry_sql, vendor):
    """SQL of the key of the `kind` item whose entry id `entry_sql` gives (entry_id_sql reversed)."""
    number = f"({entry_sql}) / {KIND_BITS}"
    if kind.integer_key:
        return number
    char = "char" if vendor == "sqlite" else "chr"
    return f"{char}(65 + {number} / 26) || {char}(65 + {number} % 26)"


def pending_keys_sql(kind, vendor):
    """SELECT of the keys of the `kind` items waiting in PENDING_TABLE (as `id`)."""
    table = PENDING_TABLE if vendor == "sqlite" else f"pg_temp.{PENDING_TABLE}"
    return (
        f"SELECT {key_of_entry_sql(kind, 'entry_id', vendor)} AS id FROM {table} "
        f"WHERE entry_id >= 0 AND entry_id % {KIND_BITS} = {kind.code}"
    )


def view_name(kind):
    """The name of the view saying what the entries of `kind` hold."""
    return f"cases_search_doc_{kind.name}"


def view_sql(kind, vendor):
    """CREATE VIEW of `kind` for `vendor` ("sqlite" or "postgresql"): entry_id, object_id, title, names, body."""
    aggregate = "group_concat" if vendor == "sqlite" else "string_agg"
    document = kind.document.replace("{agg}(", f"{aggregate}(")
    head, _, tail = document.partition(" FROM ")
    return (
        f"CREATE VIEW {view_name(kind)} AS SELECT {entry_id_sql(kind, 'item.' + kind.key, vendor)} AS entry_id, "
        f"item.{kind.key} AS object_id, {head.removeprefix('SELECT ')} FROM {tail}"
    )


def names_sql(kind, vendor):
    """A case's names stay as written (their words split, compounds not joined): link triggers
    re-read them without the Python function (sqlite_refresh_names); other kinds' names are text."""
    if kind.name == "case":
        return "names" if vendor == "sqlite" else "regexp_replace(names, '[^[:alnum:]]+', ' ', 'g')"
    return f"{TEXT_FUNCTION}(names)"


@dataclass(frozen=True)
class Rule:
    """When `event` writes rows of `table` (with `column` changed, for an update), re-index the
    items of `kind` whose keys `keys` selects from a written row ({row}: OLD/NEW, or a transition table)."""

    table: str
    event: str
    kind: IndexedKind
    keys: str  # SELECT … AS id, {row} standing for the written row
    column: str = ""  # for an UPDATE: the comma-separated columns whose change fires it
    publicity: bool = False  # the write changes only whether the items are indexed, not their text

    @property
    def columns(self):
        return self.column.split(",") if self.column else []

    @property
    def refreshes_own_rows(self):
        """True when the rule re-indexes the written rows themselves (their kind's own table)."""
        return self.kind.table == self.table


def refresh_rules():
    """Every Rule of the index, in the order that numbers its triggers (`cases_search_<number>`)."""
    rules = []
    case = KINDS_BY_NAME["case"]
    for kind in KINDS:
        for event in ("INSERT", "DELETE"):
            rules.append(Rule(kind.table, event, kind, f"SELECT {{row}}.{kind.key} AS id"))
        # An update refreshes only the rows whose indexed columns changed: the time status the
        # importer sets on every quote of a video, or a case's review date, re-index nothing.
        rules.append(
            Rule(kind.table, "UPDATE", kind, f"SELECT {{row}}.{kind.key} AS id", column=",".join(kind.columns))
        )
    for link_table, link_column, named in CASE_LINKS:
        for event in ("INSERT", "DELETE", "UPDATE"):
            rules.append(Rule(link_table, event, case, "SELECT {row}.case_id AS id"))
        # A renamed taxonomy item re-indexes its cases, whose names hold it.
        taxonomy = KINDS_BY_NAME[named]
        rules.append(
            Rule(
                taxonomy.table,
                "UPDATE",
                case,
                f"SELECT case_id AS id FROM {link_table} WHERE {link_column} = {{row}}.{taxonomy.key}",
                column="name",
            )
        )
    rules += publicity_rules()
    return rules


def publicity_rules():
    """The rules of PUBLISHED_ONLY_TERMS (migration 0026; last, so the numbers of the others stay):
    a link written, or its case published or unpublished, may index or drop the linked term."""
    rules = []
    for named in PUBLISHED_ONLY_TERMS:
        link_table, link_column = LINKS_BY_TERM[named]
        term = KINDS_BY_NAME[named]
        for event in ("INSERT", "DELETE", "UPDATE"):
            rules.append(Rule(link_table, event, term, f"SELECT {{row}}.{link_column} AS id", publicity=True))
        rules.append(
            Rule(
                "cases_case",
                "UPDATE",
                term,
                f"SELECT {link_column} AS id FROM {link_table} WHERE case_id = {{row}}.id",
                column="status",
                publicity=True,
            )
        )
    return rules
