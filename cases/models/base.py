"""What the models share: created/updated timestamps, the links a public page may show, PostgreSQL-only indexes."""

from django.contrib.postgres.indexes import GinIndex
from django.core.validators import URLValidator
from django.db import models
from django.db.backends.ddl_references import Statement

WEB_URL = URLValidator(schemes=["http", "https"])  # what a public link may point to


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class PostgresGinIndex(GinIndex):
    """A GIN index on PostgreSQL; on any other database (SQLite, which has no GIN) a comment instead.

    The project runs on both: SQLite rebuilds a table for most changes and creates every index of
    the model's state again, so a plain GinIndex there would fail ("USING gin"). Migrations name
    this class, so it stays here."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return Statement("-- %(name)s: a PostgreSQL GIN index, none on %(vendor)s", **self._skipped(schema_editor))
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(self, model, schema_editor, **kwargs):
        if schema_editor.connection.vendor != "postgresql":
            return Statement("-- %(name)s: no index to drop on %(vendor)s", **self._skipped(schema_editor))
        return super().remove_sql(model, schema_editor, **kwargs)

    def _skipped(self, schema_editor):
        return {"name": self.name, "vendor": schema_editor.connection.vendor}
