"""The search index follows every write path (admin, import, bulk writes, links, renames, revert, delete),
and holds published content only: no draft's word in a result, a count or a suggestion."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from cases.curation.history import RECORDERS, ensure_baseline, revert_case
from cases.models import Case, Country, Document, Organisation, Participation, Quote, Source, Theme
from cases.search import schema, search, search_cases
from cases.search.deferral import deferred_index
from cases.search.snippets import Matcher, snippet
from cases.search.suggest import closest_word, known_words
from cases.search.text import WORD, search_text
from tests.curation import change_url, client_for, form_data, publishable_case, superuser  # noqa: F401
from tests.factories import (
    ApproachFactory,
    CaseFactory,
    ChallengeFactory,
    OrganisationFactory,
    SourceFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


def case_slugs(q):
    return sorted(search_cases(Case.objects.published(), q).values_list("slug", flat=True))


def count(q, kind):
    return next(group.count for group in search(q).groups if group.kind.key == kind)


def test_a_documents_link_targets_are_not_indexed(tmp_path):
    # Each timestamp of a document is a markdown link to the video at that second: "watch" or
    # "youtube" found every document while the addresses were indexed.
    document = tmp_path / "lettuce_webinar.md"
    document.write_text(
        "---\ntitle: Hydroponic lettuce\nvideoId: qwertyuiopa\n---\n\n"
        'Greenhouses shared lettuce pilots <a class="yt-timestamp" data-t="00:00:11"></a>, '
        "as [the report](https://example.org/lettuce-report) says.\n",
        encoding="utf-8",
    )
    call_command("import_documents", str(tmp_path), verbosity=0)
    assert "](https://www.youtube.com/watch?v=qwertyuiopa&t=11s)" in Document.objects.get().body
    assert count("greenhouses", "documents") == 1 and count("report", "documents") == 1
    for word in ("watch", "youtube", "qwertyuiopa", "https", "example"):
        assert count(word, "documents") == 0, word


LINKED_TEXTS = [
    "See [00:02:17](https://www.youtube.com/watch?v=abc-DEF_1&t=137s) and [the report](https://oecd.org/a-b) now",
    "a](b c) d, [x](y(z)) w, [a]() and ](",
    "co-creation [P-8A](http://x.org/p-8a) e-gov",
    "no link here",
    "",
]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's text function")
def test_the_postgresql_text_function_leaves_out_the_same_link_targets_as_search_text():
    with connection.cursor() as cursor:
        for text in LINKED_TEXTS:
            cursor.execute(f"SELECT {schema.TEXT_FUNCTION}(%s)", [text])
            assert WORD.findall(cursor.fetchone()[0].lower()) == WORD.findall(search_text(text)), text


def test_an_admin_save_reindexes_the_case(client_for, superuser):  # noqa: F811
    case = publishable_case(slug="admin-saved", title="Before the edit", status=Case.Status.PUBLISHED)
    data = form_data(client_for(superuser).get(change_url(case)))
    data["title"] = "Hydroponic lettuce after the edit"
    response = client_for(superuser).post(change_url(case), data)
    assert response.status_code == 302
    assert case_slugs("hydroponic") == ["admin-saved"]
    assert case_slugs("before") == []


def test_an_import_indexes_documents_quotes_and_sources_and_a_reimport_follows(tmp_path):
    document = tmp_path / "aquaponics_webinar.md"
    document.write_text(
        "---\ntitle: Aquaponics across borders\nvideoId: abcdefghijk\n---\n\n"
        'Cities shared aquaponics pilots <a class="yt-timestamp" data-t="00:00:11"></a>.\n',
        encoding="utf-8",
    )
    call_command("import_documents", str(tmp_path), verbosity=0)
    assert count("aquaponics", "documents") == 1
    assert count("aquaponics", "quotes") == 1
    document.write_text(document.read_text().replace("aquaponics pilots", "vertical farming pilots"), encoding="utf-8")
    call_command("import_documents", str(tmp_path), verbosity=0)
    assert count("vertical farming", "quotes") == 1
    assert count("aquaponics", "quotes") == 0


def test_bulk_writes_updates_and_deletes_follow():
    source = SourceFactory(title="Bulk webinar")
    Quote.objects.bulk_create([Quote(source=source, text=f"Mariculture point {n}.", start_second=n) for n in range(3)])
    assert count("mariculture", "quotes") == 3
    Quote.objects.filter(source=source, start_second=0).update(text="Something else entirely.")
    assert count("mariculture", "quotes") == 2
    Quote.objects.filter(source=source).delete()
    assert count("mariculture", "quotes") == 0
    Source.objects.filter(pk=source.pk).update(title="Renamed seminar on kelp")
    assert count("kelp", "sources") == 1


def pending_entries():
    """The entry ids the index triggers recorded in the current deferred_index() block."""
    table = schema.PENDING_TABLE if connection.vendor == "sqlite" else f"pg_temp.{schema.PENDING_TABLE}"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT entry_id FROM {table} WHERE entry_id >= 0")
        return sorted(entry_id for (entry_id,) in cursor.fetchall())


def test_a_quotes_imported_text_is_not_indexed_and_writing_it_refreshes_nothing():
    # Quote.imported_text (what the document said beside a curator's edit) is no indexed column: the
    # importer writes it beside an unchanged text, and no trigger may re-index the quote for that.
    quote = Quote.objects.create(source=SourceFactory(), text="Feijoa growers met.", start_second=1)
    with deferred_index():
        Quote.objects.filter(pk=quote.pk).update(imported_text="Pitahaya growers met.")
        quote.imported_text = "Pitahaya growers met again."
        Quote.objects.bulk_update([quote], ["text", "imported_text"])
        assert pending_entries() == []
        Quote.objects.filter(pk=quote.pk).update(text="Feijoa growers met twice.")
        assert pending_entries() == [quote.pk * schema.KIND_BITS + schema.KINDS_BY_NAME["quote"].code]
    assert count("pitahaya", "quotes") == 0 and count("feijoa", "quotes") == 1


@pytest.mark.django_db(transaction=True)  # SQLite's schema editor, even printing SQL, runs outside a transaction
def test_the_imported_text_migration_adds_its_columns_in_place():
    """On SQLite a column Django cannot add in place makes it rebuild the table, dropping the index's
    triggers on it (a nullable column without a default is added in place on both databases)."""
    out = StringIO()
    call_command("sqlmigrate", "cases", "0031", stdout=out)
    statements = [line for line in out.getvalue().splitlines() if line and not line.startswith("--")]
    assert statements == [
        "BEGIN;",
        'ALTER TABLE "cases_historicalquote" ADD COLUMN "imported_text" text NULL;',
        'ALTER TABLE "cases_quote" ADD COLUMN "imported_text" text NULL;',
        "COMMIT;",
    ]


@pytest.mark.django_db(transaction=True)  # as above
def test_the_imported_times_migration_adds_its_columns_in_place():
    """0032 (the times and heading path as imported, a curator's own quote): nullable columns without a
    default, added in place, so the search index's triggers on cases_quote stay."""
    out = StringIO()
    call_command("sqlmigrate", "cases", "0032", stdout=out)
    statements = [line for line in out.getvalue().splitlines() if line and not line.startswith("--")]
    assert statements[0] == "BEGIN;" and statements[-1] == "COMMIT;" and len(statements) == 10
    for statement in statements[1:-1]:
        assert statement.startswith(
            ('ALTER TABLE "cases_historicalquote" ADD COLUMN', 'ALTER TABLE "cases_quote" ADD COLUMN')
        )
        assert " NULL" in statement and "DEFAULT" not in statement


def test_a_case_is_found_through_what_it_links_to_and_links_follow():
    case = CaseFactory(slug="linked", title="A challenge prize", countries=["CA"])
    assert case_slugs("canada") == ["linked"]
    assert case_slugs("CA") == ["linked"]  # the ISO code
    case.countries.set([Country.objects.get(code="TR")])
    assert case_slugs("canada") == []
    assert case_slugs("turkey") == case_slugs("Türkiye") == case_slugs("turkiye") == ["linked"]
    nasa = OrganisationFactory(name="NASA", slug="nasa")
    Participation.objects.create(case=case, organisation=nasa, role="partner")
    assert case_slugs("nasa") == ["linked"]
    Organisation.objects.filter(pk=nasa.pk).update(name="National Aeronautics and Space Administration")
    assert case_slugs("nasa") == []
    assert case_slugs("aeronautics") == ["linked"]
    theme = ThemeFactory(name="Oceanography")
    case.themes.add(theme)
    assert case_slugs("oceanography") == ["linked"]
    Theme.objects.filter(pk=theme.pk).delete()
    assert case_slugs("oceanography") == []


def test_unpublishing_and_deleting_take_a_case_and_its_words_out():
    case = CaseFactory(slug="jam", title="Marmalade exchange")
    assert case_slugs("marmalade") == ["jam"]
    Case.objects.filter(pk=case.pk).update(status=Case.Status.DRAFT)
    assert case_slugs("marmalade") == [] and search("marmalade").total == 0
    assert closest_word("marmalad") is None
    Case.objects.filter(pk=case.pk).update(status=Case.Status.PUBLISHED)
    assert closest_word("marmalad") == "marmalade"
    Case.objects.filter(pk=case.pk).delete()
    assert closest_word("marmalad") is None


def test_a_word_only_a_draft_holds_is_never_suggested_nor_counted(client):
    CaseFactory(title="Marmalade secret", status=Case.Status.DRAFT)
    CaseFactory(title="Marmot watching", body="")
    results = search("marmalade")
    assert results.total == 0 and not results.corrected_query
    response = client.get(reverse("cases:search"), {"q": "marmalad"})
    assert "marmalade" not in response.content.decode().lower().replace("marmalad\u201d", "")


def test_a_revert_reindexes_the_case_and_its_links():
    case = CaseFactory(slug="reverted", title="Seagrass meadows", summary="", body="", countries=["CA"])
    ensure_baseline(case)
    RECORDERS[Case].record(Case.objects.get(pk=case.pk))
    version = Case.history.filter(id=case.pk).latest("history_date")
    case.title = "Something else"
    case.save()
    case.countries.set([Country.objects.get(code="FR")])
    assert case_slugs("seagrass") == [] and case_slugs("canada") == []
    revert_case(case, version)
    assert case_slugs("seagrass") == ["reverted"]
    assert case_slugs("canada") == ["reverted"]
    assert case_slugs("france") == []


def test_snippets_of_long_texts_take_linear_time():
    import time

    words = ["word"] * 200_000 + ["kelp"]
    long_text = " ".join(words)
    matcher = Matcher({("kelp", False)})
    start = time.perf_counter()
    snippet(long_text, matcher, markdown=True)
    snippet("[" * 100_000 + "kelp", matcher, markdown=True)
    snippet("a" * 300_000 + " kelp", matcher, markdown=True)
    # A backtracking pattern over these texts takes minutes; a linear pass well under a second on a
    # quiet machine (the bound leaves room for a loaded one).
    assert time.perf_counter() - start < 5.0


def test_snippets_mark_accented_and_hyphenated_words():
    matcher = Matcher({("zurich", False), ("co", False), ("creation", True)})
    html = snippet("Meeting in Zürich on co-creation.", matcher)
    assert html == "Meeting in <mark>Zürich</mark> on <mark>co</mark>-<mark>creation</mark>."


def index_size():
    """(entries, vocabulary words) of the search index as the suggestions read it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"SELECT (SELECT count(*) FROM {schema.ENTRY_TABLE}), (SELECT count(*) FROM {schema.WORD_TABLE})"
            )
            return cursor.fetchone()
        known_words("a")  # creates the vocabulary table of this connection
        cursor.execute(
            f"SELECT (SELECT count(*) FROM {schema.FTS_TABLE}), (SELECT count(*) FROM temp.{schema.VOCAB_TABLE})"
        )
        return cursor.fetchone()


def flushable_library():
    """A published case with a theme and a country, and a quote of a source, each with a rare word."""
    theme = ThemeFactory(name="Rambutan orchards")
    CaseFactory(slug="kumquat", title="Kumquat exchange", countries=["CA"], themes=[theme])
    source = SourceFactory(title="Tamarillo webinar")
    Quote.objects.create(source=source, text="Cherimoya growers met.", start_second=1)
    for word in ("kumquat", "rambutan", "tamarillo", "cherimoya"):
        assert search(word).total > 0, word
    assert closest_word("kumqat") == "kumquat"


def test_a_flush_empties_the_index_and_its_vocabulary():
    # Django's flush: TRUNCATE on PostgreSQL (which fires no DELETE trigger), DELETE on SQLite.
    # Without post_migrate, which would rebuild the SQLite index: only the triggers act.
    flushable_library()
    if connection.vendor == "postgresql":
        # A TRUNCATE refuses tables with deferred foreign key checks pending in its transaction.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    for word in ("kumquat", "rambutan", "tamarillo", "cherimoya", "canada"):
        assert search(word).total == 0, word
    assert closest_word("kumqat") is None
    assert index_size() == (0, 0)  # every indexed table was emptied: no entry, no word left


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE")
def test_a_truncate_of_one_table_takes_its_kind_or_the_cases_names_out():
    flushable_library()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE cases_quote CASCADE")
        assert search("cherimoya").total == 0 and closest_word("cherimoa") is None
        assert count("tamarillo", "sources") == 1 and case_slugs("kumquat") == ["kumquat"]
        cursor.execute("TRUNCATE cases_case_themes")
        # The theme went with its last published case's link (it is public only while linked).
        assert case_slugs("rambutan") == [] and count("rambutan", "themes") == 0
        assert case_slugs("kumquat") == case_slugs("canada") == ["kumquat"]
        cursor.execute(f"TRUNCATE {schema.ENTRY_TABLE}")
        assert index_size() == (0, 0)


def test_a_term_no_published_case_links_to_is_neither_counted_listed_nor_suggested(client):
    # As its page and the API's list: organisations, themes and approaches are public while a
    # published case links to them; countries, challenges and success factors always are.
    theme = ThemeFactory(name="Durian theme")
    approach = ApproachFactory(name="Durian approach")
    organisation = OrganisationFactory(name="Durian agency")
    ChallengeFactory(name="Durian challenge")
    draft = CaseFactory(title="Something else", status=Case.Status.DRAFT, themes=[theme], approaches=[approach])
    Participation.objects.create(case=draft, organisation=organisation, role="partner")
    unlinked = ThemeFactory(name="Langsat theme")
    terms = ("themes", "approaches", "organisations")
    assert [count("durian", kind) for kind in terms] == [0, 0, 0]
    assert count("durian", "challenges") == 1
    assert count("langsat", "themes") == 0 and closest_word("langsot") is None
    page = client.get(reverse("cases:search"), {"q": "durian"}).content.decode()
    assert "Durian theme" not in page and "Durian agency" not in page and "Durian challenge" in page

    published = CaseFactory(title="Published", themes=[theme], approaches=[approach])
    Participation.objects.create(case=published, organisation=organisation, role="lead")
    assert [count("durian", kind) for kind in terms] == [1, 1, 1]
    Case.objects.filter(pk=published.pk).update(status=Case.Status.DRAFT)
    assert [count("durian", kind) for kind in terms] == [0, 0, 0]
    Case.objects.filter(pk=published.pk).update(status=Case.Status.PUBLISHED)
    assert [count("durian", kind) for kind in terms] == [1, 1, 1]
    published.themes.remove(theme)
    Participation.objects.filter(case=published).delete()
    assert [count("durian", kind) for kind in terms] == [0, 1, 0]
    published.themes.add(unlinked)
    assert count("langsat", "themes") == 1 and closest_word("langsot") == "langsat"
    published.delete()
    assert [count("durian", kind) for kind in terms] == [0, 0, 0]
    assert count("langsat", "themes") == 0 and closest_word("langsot") is None
