"""`load_seed`, as `make run` uses it: fills an empty library once, never duplicates, never overwrites."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from cases.importing.parser import parse_channel_index
from cases.models import (
    Approach,
    Case,
    CaseChallenge,
    CaseSuccessFactor,
    Challenge,
    Document,
    Organisation,
    Participation,
    Quote,
    Source,
    SuccessFactor,
    Theme,
)

pytestmark = pytest.mark.django_db

SEED_MODELS = (
    Theme,
    Approach,
    Challenge,
    SuccessFactor,
    Organisation,
    Source,
    Case,
    Participation,
    CaseChallenge,
    CaseSuccessFactor,
    Quote,
    Document,
)
CHANNEL_INDEX = Path(settings.BASE_DIR) / "fixtures" / "documents" / "oecdobservatoryofpublicsec3116.md"


def counts():
    return {model.__name__: model.objects.count() for model in SEED_MODELS}


def test_fixtures_load_into_an_empty_database():
    assert all(count == 0 for count in counts().values())
    call_command("load_seed", verbosity=0)
    loaded = counts()
    assert loaded["Case"] == 11
    assert loaded["Quote"] == 287  # the statements of the five documents about the video
    # The video and the two reports, plus the channel's other videos from the channel index.
    _, videos = parse_channel_index(CHANNEL_INDEX.read_text(encoding="utf-8"))
    assert Source.objects.filter(kind="report").count() == 2
    assert loaded["Source"] == 3 + len({video.video_id for video in videos} - {"nGjuo-7sUXM"})
    assert all(count > 0 for count in loaded.values()), loaded


def test_loading_the_seed_a_second_time_adds_nothing(seed):
    before = counts()
    call_command("load_seed", verbosity=0)
    assert counts() == before


def test_a_curators_change_survives_a_second_load(seed):
    Case.objects.filter(slug="gavi").update(summary="Edited by a curator.")
    call_command("load_seed", verbosity=0)
    assert Case.objects.get(slug="gavi").summary == "Edited by a curator."


def test_forced_reload_updates_in_place(seed):
    before = counts()
    call_command("load_seed", "--force", verbosity=0)
    assert counts() == before


@pytest.mark.django_db(transaction=True)
def test_after_a_flush_the_reference_rows_come_back_and_the_seed_loads_again():
    """`manage.py flush` empties every table, the ISO countries and editorial groups of the data
    migrations included; load_seed then failed on a foreign key to a country (PostgreSQL)."""
    from django.contrib.auth.models import Group

    from cases.models import Country

    call_command("load_seed", verbosity=0)
    seeded = Case.objects.count()
    countries = Country.objects.count()
    call_command("flush", interactive=False, verbosity=0)
    assert not Case.objects.exists()
    assert Country.objects.count() == countries and countries > 240
    assert set(Group.objects.values_list("name", flat=True)) >= {"Editors", "Publishers"}
    assert Group.objects.get(name="Publishers").permissions.exists()
    call_command("load_seed", verbosity=0)
    assert Case.objects.count() == seeded > 0
