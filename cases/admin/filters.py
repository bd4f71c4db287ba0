"""Changelist filters of the curation gaps the Library health page counts: each number links to one."""

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q

from ..curation.parents import cycle_case_ids
from ..models import Case, Quote


def case_links(name):
    """Rows of the through table of Case.<name> (countries, themes) or of Quote.cases for "quotes"."""
    if name == "quotes":
        return Quote.cases.through.objects
    return getattr(Case, name).through.objects


def cases_without(name):
    """Q for cases with no row in the link table `name`."""
    return ~Exists(case_links(name).filter(case_id=OuterRef("pk")))


class _CaseLinkFilter(admin.SimpleListFilter):
    """Cases with or without any link of one kind; the lookups read as an answer to the title."""

    link = None

    def lookups(self, request, model_admin):
        return [("no", "None"), ("yes", "At least one")]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(cases_without(self.link))
        if self.value() == "yes":
            return queryset.exclude(cases_without(self.link))
        return queryset


class EvidenceFilter(_CaseLinkFilter):
    title = "evidence quotes"
    parameter_name = "evidence"
    link = "quotes"


class CountryPresenceFilter(_CaseLinkFilter):
    title = "countries given"
    parameter_name = "has_countries"
    link = "countries"


class ThemePresenceFilter(_CaseLinkFilter):
    title = "themes given"
    parameter_name = "has_themes"
    link = "themes"


def broken_parent_q():
    """Published cases whose parent is not published (their page would link to nothing), and cycles."""
    unpublished_parent = Q(status=Case.Status.PUBLISHED, parent__isnull=False) & ~Q(
        parent__status=Case.Status.PUBLISHED
    )
    return unpublished_parent | Q(pk__in=cycle_case_ids())


class ParentLinkFilter(admin.SimpleListFilter):
    title = "parent link"
    parameter_name = "parent_link"

    def lookups(self, request, model_admin):
        return [("broken", "Broken (unpublished parent or cycle)"), ("none", "No parent")]

    def queryset(self, request, queryset):
        if self.value() == "broken":
            return queryset.filter(broken_parent_q())
        if self.value() == "none":
            return queryset.filter(parent__isnull=True)
        return queryset


class QuoteCaseLinkFilter(admin.SimpleListFilter):
    title = "linked to a case"
    parameter_name = "linked"

    def lookups(self, request, model_admin):
        return [("yes", "Linked"), ("no", "Not linked")]

    def queryset(self, request, queryset):
        linked = Exists(Quote.cases.through.objects.filter(quote_id=OuterRef("pk")))
        if self.value() == "yes":
            return queryset.filter(linked)
        if self.value() == "no":
            return queryset.filter(~linked)
        return queryset


class CuratorEditFilter(admin.SimpleListFilter):
    """Quotes a curator edited away from what their document says, or not: `edited` is the Q of the
    Quote.IMPORTED_FIELDS columns that say so (set only while a curator's value differs)."""

    edited = Q()

    def lookups(self, request, model_admin):
        return [("yes", "Edited by a curator"), ("no", "As imported")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(self.edited)
        if self.value() == "no":
            return queryset.exclude(self.edited)
        return queryset


class EditedTextFilter(CuratorEditFilter):
    """Quotes whose text a curator edited (Quote.imported_text)."""

    title = "text"
    parameter_name = "text_edited"
    edited = Q(imported_text__isnull=False)


class EditedTimesFilter(CuratorEditFilter):
    """Quotes whose start second or other seconds a curator edited (Quote.imported_start_second,
    imported_other_seconds)."""

    title = "times"
    parameter_name = "times_edited"
    edited = Q(imported_start_second__isnull=False) | Q(imported_other_seconds__isnull=False)


class NeedsReviewFilter(admin.SimpleListFilter):
    """Quotes of documents the importer flagged for a curator's reading."""

    title = "needs review"
    parameter_name = "needs_review"

    def lookups(self, request, model_admin):
        return [("yes", "Needs review"), ("no", "Reviewed or no document")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.needing_review()
        if self.value() == "no":
            return queryset.exclude(document__needs_review=True)
        return queryset


class DocumentCaseEvidenceFilter(admin.SimpleListFilter):
    """For the Document changelist: documents whose quotes back no case yet (the health page links to it)."""

    title = "quotes linked to a case"
    parameter_name = "case_evidence"

    def lookups(self, request, model_admin):
        return [("none", "None"), ("some", "At least one")]

    def queryset(self, request, queryset):
        evidence = Exists(Quote.cases.through.objects.filter(quote__document=OuterRef("pk")))
        if self.value() == "none":
            return queryset.filter(~evidence)
        if self.value() == "some":
            return queryset.filter(evidence)
        return queryset


class InUseFilter(admin.RelatedFieldListFilter):
    """A many-to-many filter offering only the targets some case uses, read from the link table
    (RelatedOnlyFieldListFilter reads them through the changelist's annotated queryset: slow at scale)."""

    def field_choices(self, field, request, model_admin):
        through = field.remote_field.through
        target_column = f"{field.m2m_reverse_field_name()}_id"
        in_use = through.objects.values(target_column)
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to={"pk__in": in_use})


class TimeOutsideVideoFilter(admin.SimpleListFilter):
    """Quotes whose start second is after their video's end (its duration, else its estimate)."""

    title = "time past the video's end"
    parameter_name = "past_end"

    def lookups(self, request, model_admin):
        return [("yes", "Past the end"), ("no", "Within the video, or its length unknown")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.past_end()
        if self.value() == "no":
            return queryset.exclude(pk__in=queryset.model.objects.past_end().values("pk"))
        return queryset


class DurationFilter(admin.SimpleListFilter):
    """Sources by how their length is known: set by a curator, estimated from documents, or unknown."""

    title = "length"
    parameter_name = "length"

    def lookups(self, request, model_admin):
        return [("set", "Set by a curator"), ("estimated", "Estimated"), ("unknown", "Unknown")]

    def queryset(self, request, queryset):
        if self.value() == "set":
            return queryset.filter(duration_seconds__isnull=False)
        if self.value() == "estimated":
            return queryset.filter(duration_seconds__isnull=True, estimated_duration_seconds__isnull=False)
        if self.value() == "unknown":
            return queryset.filter(duration_seconds__isnull=True, estimated_duration_seconds__isnull=True)
        return queryset
