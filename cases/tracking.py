"""Change history of the curated models (django-simple-history), with links changed from either side recorded.

django-simple-history records a model's many-to-many links (``m2m_fields``) only when they are
changed from the model's own side: ``quote.cases.add(case)`` is recorded, while
``case.quotes.add(quote)`` or ``country.cases.add(case)`` is not, and upstream even fails on the
latter (django-commons/django-simple-history#1048). ``LinkHistory`` records the tracked rows on
both sides, so the evidence chosen on a case's page lands in each quote's history.
"""

from django.conf import settings
from simple_history.models import HistoricalRecords

# Fields that are derived, not curated (none since the search vectors moved to cases/search).
UNTRACKED_FIELDS = []

# HistoricalRecords of each tracked model, to record a baseline outside a save (see cases.curation.history).
RECORDERS = {}


class LinkHistory(HistoricalRecords):
    """HistoricalRecords that also records links changed through the reverse accessor."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("excluded_fields", UNTRACKED_FIELDS)
        super().__init__(*args, **kwargs)

    def finalize(self, sender, **kwargs):
        if self.cls is sender:
            # Exclude only the untracked fields this model has: simple_history's get_instance()
            # looks each excluded name up on the model, so a missing one broke every version page.
            names = {field.name for field in sender._meta.local_fields}
            self.excluded_fields = [name for name in self.excluded_fields if name in names]
        super().finalize(sender, **kwargs)
        if self.cls is sender:
            RECORDERS[sender] = self

    def m2m_changed(self, instance, action, attr, pk_set, reverse, model=None, **kwargs):
        if not reverse:
            return super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
        if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            return
        # `instance` is the other side (a case whose quotes changed); `model` is the tracked model.
        if action == "pre_clear":
            instance._history_cleared_pks = set(
                model._default_manager.filter(**{attr: instance}).values_list("pk", flat=True)
            )
            return
        if action in ("post_add", "post_remove"):
            pks = pk_set or set()
        elif action == "post_clear":
            pks = instance.__dict__.pop("_history_cleared_pks", set())
        else:
            return
        for tracked in model._default_manager.filter(pk__in=pks):
            self.create_historical_record(tracked, "~")

    def record(self, instance, *, reason="", user=None, history_type="~"):
        """Write one historical record of `instance` as it is now, by `user` (None: nobody)."""
        instance._change_reason = reason
        instance._history_user = user
        try:
            self.create_historical_record(instance, history_type)
        finally:
            del instance._change_reason
            del instance._history_user


def record_in_bulk(instances, *, user=None, reason="", batch_size=500):
    """Write one historical record ("~") of each of many saved instances of one tracked model, its
    many-to-many links included, in bulk queries (a few per batch, whatever the number).

    The instances must hold every tracked field (nothing deferred: a deferred field costs a query
    per instance). Returns the historical records written.
    """
    instances = list(instances)
    if not instances or not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
        return []
    model = type(instances[0])
    recorder = RECORDERS[model]
    records = model.history.bulk_history_create(
        instances, batch_size=batch_size, update=True, default_user=user, default_change_reason=reason
    )
    if records and records[0].pk is None:  # a database that returns no ids from a bulk insert
        records = list(model.history.filter(id__in=[i.pk for i in instances]).order_by("-pk")[: len(instances)])
    for field, m2m_history_model in recorder.m2m_models.items():
        if field.model is not model:  # the dict holds every tracked model's fields
            continue
        through = field.remote_field.through
        own_column = field.m2m_column_name()
        rows_by_owner = {}
        for row in through.objects.filter(**{f"{own_column}__in": [i.pk for i in instances]}):
            rows_by_owner.setdefault(getattr(row, own_column), []).append(row)
        names = [f.attname for f in through._meta.fields]
        m2m_history_model.objects.bulk_create(
            [
                m2m_history_model(history_id=record.pk, **{name: getattr(row, name) for name in names})
                for record in records
                for row in rows_by_owner.get(record.id, ())
            ],
            batch_size=batch_size,
        )
    return records
