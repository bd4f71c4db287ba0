"""Lean multi-row INSERTs for the importer's bulk writes: tuples in, primary keys out, no model instances."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connection, models

# SQLite before 3.32 accepted 999 parameters a statement; Django assumes no more either.
MAX_PARAMETERS = 999


def insert_rows(model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence], *, returning=False):
    """INSERT `rows` (tuples of Python values, in the order of the field `names`) into `model`'s table.

    Values of date-time and JSON fields are converted as Django would save them; every other value
    is passed as it is (ints, strings, None), so callers give database-ready values there. Nothing
    else of ``save()`` runs: no defaults, no ``auto_now``, no signals, so give every NOT NULL
    column. With ``returning`` the new primary keys come back in the order of `rows` (SQLite 3.35+
    and PostgreSQL both return them from ``INSERT … RETURNING``, as Django's ``bulk_create`` relies
    on); otherwise returns None. Raises what the database raises (IntegrityError, DataError).
    """
    fields = [model._meta.get_field(name) for name in names]
    converters = [_converter(field) for field in fields]
    quote_name = connection.ops.quote_name
    head = (
        f"INSERT INTO {quote_name(model._meta.db_table)} "
        f"({', '.join(quote_name(field.column) for field in fields)}) VALUES "
    )
    tail = f" RETURNING {quote_name(model._meta.pk.column)}" if returning else ""
    one_row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    batch_size = max(1, min(500, MAX_PARAMETERS // len(fields)))
    keys = [] if returning else None
    rows = list(rows)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            batch = rows[start : start + batch_size]
            params = [
                convert(value) if convert else value
                for row in batch
                for convert, value in zip(converters, row, strict=True)
            ]
            cursor.execute(head + ", ".join([one_row] * len(batch)) + tail, params)
            if returning:
                keys.extend(row[0] for row in cursor.fetchall())
    return keys


def _converter(field):
    """How a value of `field` becomes a query parameter, or None where it is passed as it is."""
    if isinstance(field, models.DateTimeField):
        # A batch's rows share one timestamp: converted once.
        last = [object(), None]

        def convert(value):
            if value is not last[0]:
                last[:] = [value, field.get_db_prep_save(value, connection)]
            return last[1]

        return convert
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def sync_links(through, owner_field: str, target_field: str, wanted: set[tuple[int, int]], owner_ids) -> None:
    """Make the (owner, target) rows of a many-to-many table for `owner_ids` exactly `wanted`
    (`owner_ids`: those that may have rows already; owners just created have none)."""
    have = {}
    if owner_ids:
        rows = through.objects.filter(**{f"{owner_field}__in": list(owner_ids)})
        have = {(owner, target): pk for pk, owner, target in rows.values_list("pk", owner_field, target_field)}
    stale = [pk for pair, pk in have.items() if pair not in wanted]
    if stale:
        through.objects.filter(pk__in=stale).delete()
    insert_rows(through, [owner_field, target_field], sorted(pair for pair in wanted if pair not in have))
