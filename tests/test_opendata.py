"""Whole-library downloads (cases/opendata.py, `export_library`, /data/): published rows only, in
three formats that hold the same tables, served with their size and build time."""

import csv
import gzip
import io
import json
import sqlite3
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse

from cases.models import Case
from cases.opendata import CSV_BUNDLE, JSON_LINES, MANIFEST, SQLITE, TABLES, export_library
from tests.factories import (
    CaseChallengeFactory,
    CaseFactory,
    ChallengeFactory,
    OrganisationFactory,
    ParticipationFactory,
    QuoteFactory,
    SourceFactory,
    ThemeFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(tmp_path, settings):
    settings.OPEN_DATA_DIR = tmp_path / "data"
    return settings.OPEN_DATA_DIR


@pytest.fixture
def library(db):
    space = ThemeFactory(slug="space")
    parent = CaseFactory(slug="parent", countries=["ca"], themes=[space])
    child = CaseFactory(slug="child", parent=parent, countries=["fr"], title="=HYPERLINK(1)")
    draft = CaseFactory(
        slug="draft", status=Case.Status.DRAFT, themes=[ThemeFactory(slug="draft-theme")], countries=["de"]
    )
    archived = CaseFactory(slug="archived", status=Case.Status.ARCHIVED)
    orphan = CaseFactory(slug="orphan", parent=draft)
    ParticipationFactory(case=parent, organisation=OrganisationFactory(slug="agency"))
    ParticipationFactory(case=draft, organisation=OrganisationFactory(slug="draft-org"))
    CaseChallengeFactory(case=draft, challenge=ChallengeFactory(slug="legal"))
    source = SourceFactory()
    QuoteFactory(source=source, cases=[parent, draft], text="Both")
    QuoteFactory(source=source, cases=[draft], text="Draft only")
    return {"parent": parent, "child": child, "draft": draft, "archived": archived, "orphan": orphan}


def test_the_sqlite_download_opens_and_holds_published_rows_only(client, data_dir, library):
    call_command("export_library", verbosity=0)
    database = sqlite3.connect(data_dir / SQLITE)
    assert {row[0] for row in database.execute("SELECT slug FROM cases")} == {"parent", "child", "orphan"}
    parents = dict(database.execute("SELECT slug, parent_id FROM cases"))
    assert parents["child"] == library["parent"].pk and parents["orphan"] is None  # a draft parent is not named
    assert {row[0] for row in database.execute("SELECT country_code FROM case_countries")} == {"CA", "FR"}
    assert {row[0] for row in database.execute("SELECT slug FROM themes")} == {"space"}
    assert {row[0] for row in database.execute("SELECT slug FROM organisations")} == {"agency"}
    assert database.execute("SELECT COUNT(*) FROM case_challenges").fetchone()[0] == 0
    quote_cases = list(
        database.execute(
            "SELECT quotes.text, cases.slug FROM quote_cases JOIN quotes ON quotes.id = quote_id JOIN cases ON cases.id = case_id"
        )
    )
    assert quote_cases == [("Both", "parent")]
    assert database.execute("SELECT COUNT(*) FROM quotes").fetchone()[0] == 2  # quotes are public, as on the pages
    tables = {row[0] for row in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {table.name for table in TABLES}
    database.close()


def test_the_three_formats_hold_the_same_rows_and_the_csv_bundle_a_readme(data_dir, library):
    manifest = export_library()
    with zipfile.ZipFile(data_dir / CSV_BUNDLE) as bundle:
        names = set(bundle.namelist())
        assert names == {"README.md", *(f"{table.name}.csv" for table in TABLES)}
        readme = bundle.read("README.md").decode()
        for table in TABLES:
            assert f"### {table.name}.csv" in readme
            rows = list(csv.reader(io.TextIOWrapper(bundle.open(f"{table.name}.csv"), encoding="utf-8")))
            assert rows[0] == table.column_names
            assert len(rows) - 1 == manifest["tables"][table.name]
        cases = list(csv.DictReader(io.TextIOWrapper(bundle.open("cases.csv"), encoding="utf-8")))
        assert {case["title"] for case in cases} >= {"'=HYPERLINK(1)"}  # formula-guarded in CSV only
    with gzip.open(data_dir / JSON_LINES, "rt", encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    counted = {}
    for row in rows:
        counted[row["table"]] = counted.get(row["table"], 0) + 1
    assert counted == {name: count for name, count in manifest["tables"].items() if count}
    assert {row["title"] for row in rows if row["table"] == "cases"} >= {"=HYPERLINK(1)"}
    assert manifest["tables"]["cases"] == 3 and manifest["tables"]["quote_cases"] == 1
    assert json.loads((data_dir / MANIFEST).read_text())["files"][SQLITE]["size"] == (data_dir / SQLITE).stat().st_size


def test_a_rebuild_replaces_the_files_and_leaves_no_partial_ones(data_dir, library):
    export_library()
    Case.objects.filter(slug="child").update(status=Case.Status.DRAFT)
    manifest = export_library()
    assert manifest["tables"]["cases"] == 2
    assert sorted(path.name for path in data_dir.iterdir()) == sorted([CSV_BUNDLE, JSON_LINES, SQLITE, MANIFEST])


def test_the_data_page_shows_each_download_with_its_size_build_time_licence_and_citation(client, data_dir, library):
    page = client.get(reverse("cases:data"))
    assert page.status_code == 200 and "have not been built yet" in page.content.decode()
    assert client.get(reverse("cases:data-file", args=[SQLITE])).status_code == 404
    export_library()
    page = client.get(reverse("cases:data")).content.decode()
    for name in (CSV_BUNDLE, JSON_LINES, SQLITE):
        assert f'href="/data/files/{name}"' in page
    assert "Built <time datetime=" in page and "MIT licence" in page and "Whole-library download, built" in page
    assert "Whole-library download, built" in page and "http://testserver/data/" in page  # a citable, absolute address
    download = client.get(reverse("cases:data-file", args=[SQLITE]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == (data_dir / SQLITE).read_bytes()
    assert (
        client.get(
            reverse("cases:data-file", args=[SQLITE]), HTTP_IF_MODIFIED_SINCE=download["Last-Modified"]
        ).status_code
        == 304
    )
    for name in (MANIFEST, "../settings.py", "library.sqlite.partial", ".library.sqlite.partial"):
        assert client.get(f"/data/files/{name}").status_code == 404


def test_export_library_dry_run_writes_nothing(data_dir, library, capsys):
    call_command("export_library", "--dry-run")
    assert "Would write" in capsys.readouterr().out
    assert not data_dir.exists()


def test_the_downloads_hold_the_case_story_level_of_government_and_supporting_links(data_dir, library):
    from cases.models import SupportingLink

    parent, draft = library["parent"], library["draft"]
    Case.objects.filter(pk=parent.pk).update(
        story_problem="Borders block data.", level_of_government="national", results_evidence="expected"
    )
    SupportingLink.objects.create(case=parent, title="Report", url="https://example.org/r.pdf", kind="report")
    SupportingLink.objects.create(case=draft, title="Hidden", url="https://example.org/h.pdf")
    call_command("export_library", verbosity=0)
    database = sqlite3.connect(data_dir / SQLITE)
    row = database.execute(
        "SELECT level_of_government, results_evidence, story_problem, story_lessons FROM cases WHERE slug = 'parent'"
    ).fetchone()
    assert row == ("national", "expected", "Borders block data.", "")
    links = list(database.execute("SELECT case_id, title, url, kind FROM supporting_links"))
    assert links == [(parent.pk, "Report", "https://example.org/r.pdf", "report")]
    database.close()
