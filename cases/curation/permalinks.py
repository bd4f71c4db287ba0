"""Permalinks that last: a renamed (or merged) case or term keeps its old slug as a permanent
redirect, and an archived case stays citable behind a "withdrawn" page (410).

Old slugs are recorded by a pre_save signal, so every write path that renames through `save()`
(the admin form, a history revert, an approved revision, a shell) records them.
"""

from django.db.models.signals import pre_save

from ..models import Approach, Case, OldSlug, Organisation, Theme, Topic

KIND_OF_MODEL = {
    Case: OldSlug.Kind.CASE,
    Organisation: OldSlug.Kind.ORGANISATION,
    Theme: OldSlug.Kind.THEME,
    Approach: OldSlug.Kind.APPROACH,
    Topic: OldSlug.Kind.TOPIC,
}


def remember_slug(model, *, old_slug, target_id):
    """Record that `old_slug` of `model` now names the object with primary key `target_id`."""
    OldSlug.objects.update_or_create(kind=KIND_OF_MODEL[model], slug=old_slug, defaults={"target_id": target_id})


def current_of(model, slug):
    """The object of `model` that an old `slug` names now, or None."""
    target_id = OldSlug.objects.filter(kind=KIND_OF_MODEL[model], slug=slug).values_list("target_id", flat=True).first()
    if target_id is None:
        return None
    return model._default_manager.filter(pk=target_id).first()


def _record_slug_change(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None or (update_fields is not None and "slug" not in update_fields):
        return
    old_slug = sender._default_manager.filter(pk=instance.pk).values_list("slug", flat=True).first()
    if old_slug is None or old_slug == instance.slug:
        return
    remember_slug(sender, old_slug=old_slug, target_id=instance.pk)
    # The new slug is live again: it no longer redirects anywhere else.
    OldSlug.objects.filter(kind=KIND_OF_MODEL[sender], slug=instance.slug).delete()


def connect():
    for model in KIND_OF_MODEL:
        pre_save.connect(_record_slug_change, sender=model, dispatch_uid=f"old-slug-{model._meta.model_name}")
