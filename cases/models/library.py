"""The library version: one row the database's triggers change with every write the case browser counts."""

from django.db import models
from django.db.models import Q


class LibraryVersion(models.Model):
    """One row whose `version` changes (to a random number) with every write to a table the case
    browser counts: database triggers change it, and cached facet counts are keyed by it, so they
    are never stale.

    Schema not managed by Django: the triggers, raw SQL in cases/library_version.py (Django declares
    no trigger; django-pgtrigger would cover PostgreSQL only), created after every migration run
    (post_migrate) on both databases, so SQLite's table rebuilds cannot drop them."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField()

    class Meta:
        db_table = "cases_library_version"
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(id=1), name="library_version_single_row")]

    def __str__(self):
        return f"library version {self.version}"
