"""The case page's related cases take their countries from the library's bitmaps and
the per-process term tables (cases/browse/case_links.py: attach_countries), read by
includes/_case_meta.html through Case.countries_shown.

Every test compares what a page shows with what the database holds now (an independent ORM query),
after writes of every kind, with the real cache backends (in-memory and the default database cache).
"""

import html
import re
import threading

import pytest
from django.core.cache import cache
from django.db.models import Q
from django.urls import reverse

from cases import library_version
from cases.browse import case_index, case_links
from cases.models import Case, Country
from tests.curation import (
    client_for,  # noqa: F401
    editor,  # noqa: F401
)
from tests.factories import CaseFactory, ThemeFactory, country

pytestmark = pytest.mark.django_db

ITEM = re.compile(r'<li><a href="/cases/([^/"]+)/">.*?</a>\s*<span class="meta dots">(.*?)</span></li>', re.S)
COUNTRY_LINK = re.compile(r'<a href="/countries/([^/"]+)/">([^<]*)</a>')


@pytest.fixture(params=["locmem", "database"])
def real_cache(request, settings):
    """The in-memory cache, or the settings' own default (the database cache, kb.cache)."""
    if request.param == "locmem":
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    else:
        assert settings.CACHES["default"]["BACKEND"] == "kb.cache.DatabaseCache"
    cache.clear()
    return request.param


def related_of(page_html):
    """[(slug, [(code, name)])] of the related cases as the page lists them."""
    if 'id="related-heading"' not in page_html:
        return []
    start = page_html.index('id="related-heading"')
    section = page_html[start : page_html.index("</section>", start)]
    return [
        (slug, [(code, html.unescape(name)) for code, name in COUNTRY_LINK.findall(meta)])
        for slug, meta in ITEM.findall(section)
    ]


def truth(slugs):
    """What the database holds now for these cases: [(slug, [(code, name)])], countries by name."""
    return [
        (
            slug,
            [
                (code.lower(), name)
                for code, name in Case.objects.get(slug=slug).countries.order_by("name").values_list("code", "name")
            ],
        )
        for slug in slugs
    ]


def published_sharing(main):
    """The published cases sharing a theme or a country with `main` (fewer than 6 here: all are shown)."""
    themes = list(main.themes.all())
    codes = list(main.countries.values_list("code", flat=True))
    shared = Q(themes__in=themes) | Q(countries__code__in=codes)
    return set(Case.objects.published().exclude(pk=main.pk).filter(shared).distinct().values_list("slug", flat=True))


@pytest.fixture
def library():
    theme = ThemeFactory(slug="shared-theme")
    main = CaseFactory(slug="main", themes=[theme], countries=["CA"])
    CaseFactory(slug="r1", themes=[theme], countries=["SN", "JP"])
    CaseFactory(slug="r2", themes=[theme], countries=["FR"])
    CaseFactory(slug="r3-draft", themes=[theme], countries=["DE"], status=Case.Status.DRAFT)
    CaseFactory(slug="r4-archived", themes=[theme], countries=["IT"], status=Case.Status.ARCHIVED)
    CaseFactory(slug="r5-nowhere", themes=[theme])
    CaseFactory(slug="r6-canada-only", countries=["CA", "US"])
    return main


def assert_page_tells_the_truth(client, main):
    response = client.get("/cases/main/")
    assert response.status_code == 200
    shown = related_of(response.content.decode())
    assert {slug for slug, _ in shown} == published_sharing(main)
    assert shown == truth([slug for slug, _ in shown])
    return shown


def _status(slug, status):
    case = Case.objects.get(slug=slug)
    case.status = status
    case.save()


def _add_country(main):
    Case.objects.get(slug="r1").countries.add(country("BR"))


def _remove_country(main):
    Case.objects.get(slug="r1").countries.remove(country("JP"))


def _clear_countries(main):
    Case.objects.get(slug="r1").countries.clear()


def _every_country(main):
    Case.objects.get(slug="r2").countries.set(Country.objects.all())


def _unpublish(main):
    _status("r1", Case.Status.DRAFT)


def _archive(main):
    _status("r2", Case.Status.ARCHIVED)


def _publish_draft(main):
    _status("r3-draft", Case.Status.PUBLISHED)


def _unarchive(main):
    _status("r4-archived", Case.Status.PUBLISHED)


def _rename_country_save(main):
    japan = Country.objects.get(code="JP")
    japan.name = "Nippon <&> “Japan”"
    japan.save()


def _rename_country_update(main):
    Country.objects.filter(code="SN").update(name="Sénégal")


def _delete_case(main):
    Case.objects.get(slug="r1").delete()


def _delete_country(main):
    Country.objects.get(code="SN").delete()


def _new_country_linked(main):
    kosovo = Country.objects.create(code="XK", name="Kosovo", region="europe")
    Case.objects.get(slug="r2").countries.add(kosovo)


def _main_loses_theme(main):
    main.themes.clear()


def _through_rows(main):
    Case.countries.through.objects.filter(case__slug="r1", country_id="JP").update(country_id="NG")


CHANGES = [
    _add_country,
    _remove_country,
    _clear_countries,
    _every_country,
    _unpublish,
    _archive,
    _publish_draft,
    _unarchive,
    _rename_country_save,
    _rename_country_update,
    _delete_case,
    _delete_country,
    _new_country_linked,
    _main_loses_theme,
    _through_rows,
]


@pytest.mark.parametrize("change", CHANGES, ids=[change.__name__.strip("_") for change in CHANGES])
def test_related_cases_and_their_countries_stay_exact_after_any_write(client, real_cache, library, change):
    before = assert_page_tells_the_truth(client, library)
    assert ("r1", [("jp", "Japan"), ("sn", "Senegal")]) in before
    assert ("r5-nowhere", []) in before
    assert assert_page_tells_the_truth(client, library) == before  # the cached page
    change(library)
    after = assert_page_tells_the_truth(client, library)
    cache.clear()
    assert assert_page_tells_the_truth(client, library) == after  # uncached: the same


def test_a_related_case_in_every_country_lists_them_all_by_name(client, real_cache, library):
    _every_country(library)
    shown = dict(assert_page_tells_the_truth(client, library))
    assert len(shown["r2"]) == Country.objects.count() >= 240


def test_a_writes_in_a_row_each_page_exact(client, real_cache, library):
    """Several writes, a visit after each, the memo and the cache kept between them."""
    for change in CHANGES:
        if change in (_delete_case, _delete_country):
            continue
        change(library)
        assert_page_tells_the_truth(client, library)


def test_admin_preview_of_a_draft_lists_its_published_related_cases_countries(client_for, editor, real_cache, library):  # noqa: F811
    theme = library.themes.get()
    draft = CaseFactory(slug="the-draft", title="The draft", themes=[theme], countries=["CA"], status=Case.Status.DRAFT)
    url = reverse("admin:cases_case_preview", args=[draft.pk])
    curator = client_for(editor)
    for change in (None, _add_country, _rename_country_save, _unpublish, _publish_draft):
        if change:
            change(library)
        response = curator.get(url)
        assert response.status_code == 200
        shown = related_of(response.content.decode())
        expected = published_sharing(draft)
        assert {slug for slug, _ in shown} == expected
        assert shown == truth([slug for slug, _ in shown])
    # The preview of a draft leaves nothing the public sees.
    assert client_for(None).get(draft.get_absolute_url()).status_code == 404
    # The main case's page still shows the main case (the draft shares its theme but is no related case).
    assert "the-draft" not in {slug for slug, _ in related_of(client_for(None).get("/cases/main/").content.decode())}


def test_the_admin_preview_reads_the_library_version_once_a_part(client_for, editor, library, settings):  # noqa: F811
    # Not cached(): its links' terms, the related cases' ranking and their countries each read the
    # version; the countries' terms and bitmaps share one read.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    curator = client_for(editor)
    url = reverse("admin:cases_case_preview", args=[Case.objects.get(slug="main").pk])
    curator.get(url)  # the library's bitmaps and term tables, once per version
    with CaptureQueriesContext(connection) as queries:
        assert curator.get(url).status_code == 200
    assert sum("cases_library_version" in query["sql"] for query in queries) == 3


def test_admin_preview_of_an_archived_case(client_for, editor, library):  # noqa: F811
    archived = Case.objects.get(slug="r4-archived")
    response = client_for(editor).get(reverse("admin:cases_case_preview", args=[archived.pk]))
    assert response.status_code == 200
    shown = related_of(response.content.decode())
    assert "main" in {slug for slug, _ in shown}
    assert shown == truth([slug for slug, _ in shown])


def test_attach_countries_of_an_unpublished_case_shows_none_of_its_countries(library):
    """attach_countries is documented for published cases only: a draft (say, a caller reusing it
    for a preview's own case or its children) is given no country at all, where countries.all()
    lists them. Pins the contract."""
    draft = Case.objects.get(slug="r3-draft")
    case_links.attach_countries([draft])
    assert draft.countries_shown == []
    assert list(draft.countries.values_list("code", flat=True)) == ["DE"]


def test_a_page_rendered_by_a_request_that_read_the_version_before_a_country_was_deleted(library, settings):
    """The race of a request that read the library version V0 (cached()'s compute) before a
    curator's deletion of a country committed (V1): the shared cache holds the bitmaps of V0
    (another worker built them), but this process has not yet read the term tables under V0, so it
    reads them now, from the database after the commit. A code of V0's bitmaps missing from V1's
    terms is a country deleted since: left out, never a KeyError (a 500 for every case page
    rendered in that window, found by QA)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    v0 = library_version.current()
    case_index.current(version=v0)  # V0's bitmaps, in the shared cache (and this process's memo)
    library_version._memo["values"].clear()  # this process: nothing memoized under V0 yet
    r1 = Case.objects.get(slug="r1")
    Country.objects.get(code="SN").delete()  # the curator's write commits: V1
    token = library_version._computing.set(("default", v0))  # the request computing under V0
    try:
        case_links.attach_countries([r1])
    finally:
        library_version._computing.reset(token)
    assert [c.code for c in r1.countries_shown] == ["JP"]


def test_a_page_rendered_by_a_request_that_read_the_version_before_a_new_country_was_linked(library, settings):
    """The other way round: the term tables memoized under V0, the bitmaps of V0 not yet built
    anywhere; a curator adds a country (Kosovo, XK, missing from ISO 3166-1) and links a published
    case to it (V1); the request under V0 builds the bitmaps now (V1's rows, XK among them) and
    looks XK up in V0's terms, lacking it: the terms are read again, and XK is listed."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    v0 = library_version.current()
    library_version.memoized("case-link-terms", case_links._terms, version=v0)
    r2 = Case.objects.get(slug="r2")
    _new_country_linked(None)  # V1
    token = library_version._computing.set(("default", v0))
    try:
        case_links.attach_countries([r2])
    finally:
        library_version._computing.reset(token)
    assert [c.code for c in r2.countries_shown] == ["FR", "XK"]


def test_threads_sharing_the_memo_render_the_same_countries(library):
    """gunicorn threads share library_version's memo: concurrent attach_countries of one version
    give every thread the same, right lists (no query in a thread: the memo is filled first)."""
    case_links.attach_countries(list(Case.objects.published()))
    cases = list(Case.objects.published().order_by("slug"))
    expected = {case.slug: [c.code for c in case.countries.order_by("name")] for case in cases}
    version = library_version.current()
    errors, results = [], []

    def work():
        try:
            token = library_version._computing.set(("default", version))
            for _ in range(200):
                mine = [Case(pk=case.pk, slug=case.slug) for case in cases]
                case_links.attach_countries(mine)
                results.append({case.slug: [c.code for c in case.countries_shown] for case in mine})
            library_version._computing.reset(token)
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert all(result == expected for result in results)


def test_the_case_page_renders_for_a_request_that_read_the_version_before_a_country_was_deleted(
    client, library, settings, monkeypatch
):
    """The same race end to end, through the public page: this process built V0's bitmaps (a case
    browser page, say) but not V0's term tables; a visitor's request reads V0, then a curator's
    deletion of Senegal commits before the request reads the term tables. The page renders, its
    related case without Senegal (it failed with KeyError 'SN' in attach_countries before)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    v0 = library_version.current()
    case_index.current(version=v0)
    library_version._memo["values"].pop(("case-link-terms", ()), None)
    Country.objects.get(code="SN").delete()  # commits between the request's version read and the rest
    real_current, first = library_version.current, [v0]
    monkeypatch.setattr(
        library_version, "current", lambda *, using="default": first.pop() if first else real_current(using=using)
    )
    response = client.get("/cases/main/")
    assert response.status_code == 200
    assert ("r1", [("jp", "Japan")]) in related_of(response.content.decode())


def test_the_case_s_own_links_name_a_term_created_after_the_term_tables_were_read(library, settings):
    """attach_case_links, the same race for the page's own case: a theme created and linked (V1)
    after the term tables were memoized under the version the request read (V0): read again."""
    from tests.factories import ThemeFactory

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    v0 = library_version.current()
    library_version.memoized("case-link-terms", case_links._terms, version=v0)
    main = Case.objects.get(slug="main")
    fresh = ThemeFactory(name="A theme made just now")
    main.themes.add(fresh)  # V1
    token = library_version._computing.set(("default", v0))
    try:
        case_links.attach_case_links(main)
    finally:
        library_version._computing.reset(token)
    assert fresh in main.theme_list
