"""generate_library: a deterministic generated library, written in bulk, that never touches curated rows."""

import pytest
from django.core.management import CommandError, call_command

from cases.models import Case, CaseChallenge, Organisation, Participation, Quote, Source, Theme
from tests.factories import CaseFactory, QuoteFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def generate(*args):
    call_command("generate_library", "--cases", "40", "--quotes", "200", *args, verbosity=0)


def snapshot():
    return {
        "cases": list(
            Case.objects.filter(slug__startswith="gen-")
            .order_by("slug")
            .values_list("slug", "title", "status", "stage", "start_year", "end_year")
        ),
        "countries": sorted(
            Case.countries.through.objects.filter(case__slug__startswith="gen-").values_list("case__slug", "country_id")
        ),
        "quotes": list(
            Quote.objects.filter(source__slug__startswith="gen-")
            .order_by("position")
            .values_list("text", "start_second", "source__slug")
        ),
        "quote_cases": sorted(
            Quote.cases.through.objects.filter(quote__source__slug__startswith="gen-").values_list(
                "quote__position", "case__slug"
            )
        ),
    }


def test_generates_the_asked_numbers_with_every_kind_of_link():
    generate()
    cases = Case.objects.filter(slug__startswith="gen-")
    assert cases.count() == 40
    assert Quote.objects.filter(source__slug__startswith="gen-").count() == 200
    assert set(cases.values_list("status", flat=True)) >= {"published", "draft"}
    assert cases.filter(status="published").count() > 30
    for relation in ("countries", "themes", "approaches", "participations"):
        assert not cases.filter(**{f"{relation}__isnull": True}).exists(), relation
    assert CaseChallenge.objects.filter(case__in=cases).exclude(note="").exists()
    assert Participation.objects.filter(case__in=cases, role="lead").count() == 40
    assert Quote.cases.through.objects.filter(case__in=cases).count() >= 200


def test_the_same_seed_gives_the_same_library():
    generate("--seed", "7")
    first = snapshot()
    generate("--seed", "7", "--clear")
    assert snapshot() == first
    generate("--seed", "8", "--clear")
    assert snapshot()["cases"] != first["cases"]


def test_refuses_to_generate_twice_without_clear():
    generate()
    with pytest.raises(CommandError, match="already holds 40 generated cases"):
        generate()


def test_refuses_beside_curated_cases_unless_forced():
    CaseFactory(slug="curated")
    with pytest.raises(CommandError, match="1 curated cases"):
        generate()
    generate("--force")
    assert Case.objects.filter(slug__startswith="gen-").count() == 40


def test_clear_deletes_only_generated_rows():
    curated_theme = ThemeFactory(slug="curated-theme")
    curated = CaseFactory(slug="curated", themes=[curated_theme])
    curated_quote = QuoteFactory(cases=[curated])
    generate("--force")
    generated_case = Case.objects.filter(slug__startswith="gen-").first()
    curated.parent = generated_case
    curated.save()
    curated_quote.cases.add(generated_case)
    call_command("generate_library", "--cases", "0", "--quotes", "0", "--clear", "--force", verbosity=0)
    for model in (Case, Organisation, Theme, Source):
        assert not model.objects.filter(slug__startswith="gen-").exists(), model
    assert not Quote.objects.filter(source__slug__startswith="gen-").exists()
    curated.refresh_from_db()
    assert curated.parent is None
    assert list(curated.themes.all()) == [curated_theme]
    assert list(Quote.objects.get(pk=curated_quote.pk).cases.all()) == [curated]


def test_dry_run_writes_nothing(capsys):
    call_command("generate_library", "--cases", "40", "--dry-run")
    assert "Would generate 40 cases" in capsys.readouterr().out
    assert not Case.objects.exists()


def test_rejects_quotes_without_cases():
    with pytest.raises(CommandError, match="need cases"):
        call_command("generate_library", "--cases", "0", "--quotes", "10", verbosity=0)
