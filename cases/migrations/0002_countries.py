"""Load every ISO 3166-1 country with its UN M49 region from cases/data/countries.csv."""

import csv
from pathlib import Path

from django.db import migrations

COUNTRIES_CSV = Path(__file__).resolve().parent.parent / "data" / "countries.csv"


def load_countries(apps, schema_editor):
    Country = apps.get_model("cases", "Country")
    with COUNTRIES_CSV.open(encoding="utf-8", newline="") as rows:
        countries = [Country(code=row["code"], name=row["name"], region=row["region"]) for row in csv.DictReader(rows)]
    Country.objects.bulk_create(countries, ignore_conflicts=True)


def unload_countries(apps, schema_editor):
    apps.get_model("cases", "Country").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(load_countries, unload_countries)]
