"""The "merge selected into one…" action of organisations, themes, approaches and topics (Publishers)."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse

from ..curation.merging import merge_terms
from ..curation.workflow import can_publish

MAX_MERGED = 20


@admin.action(description="Merge selected into one…", permissions=["merge"])
def merge_selected(modeladmin, request, queryset):
    """Ask which selected term to keep, then merge the others into it (cases.curation.merging.merge_terms)."""
    terms = list(queryset[: MAX_MERGED + 1])
    if not 2 <= len(terms) <= MAX_MERGED:
        modeladmin.message_user(request, f"Select between 2 and {MAX_MERGED} to merge.", messages.ERROR)
        return None
    keep_id = request.POST.get("keep", "")
    keep = next((term for term in terms if str(term.pk) == keep_id), None)
    if "apply" in request.POST and keep is not None:
        others = [term for term in terms if term.pk != keep.pk]
        try:
            result = merge_terms(keep, others, user=request.user)
        except ValidationError as error:
            modeladmin.message_user(request, " ".join(error.messages), messages.ERROR)
            return None
        modeladmin.log_change(request, keep, f"Merged {', '.join(result.merged)} into this")
        modeladmin.message_user(
            request,
            f"Merged {', '.join(result.merged)} into “{keep}” ({result.cases} case{pluralize(result.cases)} "
            "relinked); their old addresses redirect to it.",
            messages.SUCCESS,
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": f"Merge {modeladmin.opts.verbose_name_plural}",
        "opts": modeladmin.opts,
        "terms": terms,
        "selected": request.POST.getlist(helpers.ACTION_CHECKBOX_NAME),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "keep_missing": "apply" in request.POST,
    }
    return TemplateResponse(request, "admin/cases/merge.html", context)


class MergeMixin:
    """Adds the merge action, offered to Publishers only."""

    actions = [merge_selected]

    def has_merge_permission(self, request):
        return can_publish(request.user)
