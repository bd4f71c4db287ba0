"""A case's state and the difference between two states: what a revision stores and shows.

A case's state (`case_state`) is a JSON-able dict of all that its page shows: content fields,
countries, themes, approaches, publications, evidence, participations, challenge and
success-factor notes, supporting links, story-section evidence, and the text, time and terms of
each evidence quote. `describe_changes` words the difference between two states for a curator.
"""

from dataclasses import dataclass

from ..models import (
    Case,
    CaseChallenge,
    CaseSuccessFactor,
    Challenge,
    Organisation,
    Participation,
    Quote,
    Source,
    StoryEvidence,
    StorySection,
    SuccessFactor,
    SupportingLink,
)
from .history import CASE_LINKS, CONTENT_FIELDS
from .workflow import missing_for_publication

FIELD_LABELS = {
    "title": "Title",
    "slug": "Slug",
    "summary": "Summary",
    "body": "Body",
    "stage": "Stage",
    "start_year": "Start year",
    "end_year": "End year",
    "website": "Website",
    "parent_id": "Parent",
    "level_of_government": "Level of government",
    "contact_email": "Organisational contact",
    "results_evidence": "Results are",
    **{section.field_name: section.label for section in StorySection},
}
QUOTE_FIELDS = ["text", "start_second", "other_seconds"]


# States


def case_state(case_id):
    """All that the page of case `case_id` shows, as a JSON-able dict (lists sorted, keys strings)."""
    state = {"fields": Case.objects.values(*CONTENT_FIELDS).get(pk=case_id)}
    for name in CASE_LINKS:
        field = Case._meta.get_field(name)
        column = f"{field.m2m_reverse_field_name()}_id"
        state[name] = sorted(field.remote_field.through.objects.filter(case_id=case_id).values_list(column, flat=True))
    evidence = sorted(Quote.cases.through.objects.filter(case_id=case_id).values_list("quote_id", flat=True))
    state["evidence"] = evidence
    state["participations"] = sorted(
        [organisation_id, role]
        for organisation_id, role in Participation.objects.filter(case_id=case_id).values_list(
            "organisation_id", "role"
        )
    )
    state["challenges"] = {
        str(pk): note for pk, note in CaseChallenge.objects.filter(case_id=case_id).values_list("challenge_id", "note")
    }
    state["success_factors"] = {
        str(pk): note
        for pk, note in CaseSuccessFactor.objects.filter(case_id=case_id).values_list("success_factor_id", "note")
    }
    state["quotes"] = quote_states(evidence)
    state["supporting_links"] = {
        url: [title, kind, order]
        for url, title, kind, order in SupportingLink.objects.filter(case_id=case_id).values_list(
            "url", "title", "kind", "order"
        )
    }
    story_evidence = {}
    for row in StoryEvidence.objects.filter(case_id=case_id).prefetch_related("quotes"):
        story_evidence[row.section] = {
            "quotes": sorted(quote.pk for quote in row.quotes.all()),
            "reason": row.no_evidence_reason,
        }
    state["story_evidence"] = story_evidence
    return state


def quote_states(quote_ids):
    """{quote id (str): {text, start_second, other_seconds, challenges, success_factors}}."""
    quotes = {
        str(row["pk"]): {**{name: row[name] for name in QUOTE_FIELDS}, "challenges": [], "success_factors": []}
        for row in Quote.objects.filter(pk__in=quote_ids).values("pk", *QUOTE_FIELDS)
    }
    for name, column in (("challenges", "challenge_id"), ("success_factors", "successfactor_id")):
        links = Quote._meta.get_field(name).remote_field.through.objects.filter(quote_id__in=quote_ids)
        for quote_id, target in links.order_by(column).values_list("quote_id", column):
            quotes[str(quote_id)][name].append(target)
    return quotes


def missing_in_state(state):
    """What a state lacks for publication, as missing_for_publication words it."""
    return missing_for_publication(
        Case(summary=state["fields"]["summary"]),
        summary=state["fields"]["summary"],
        country_count=len(state["countries"]),
        evidence_count=len(state["evidence"]),
    )


# Differences


@dataclass(frozen=True)
class Change:
    """One difference between two states, in words: what changed (`label`), before and after."""

    label: str
    before: str
    after: str


def _names(model, ids, name="name"):
    return dict(model.objects.filter(pk__in=ids).values_list("pk", name))


def describe_changes(base, proposed):
    """[Change] from state `base` to state `proposed`, in words a curator reads."""
    changes = []
    for name in CONTENT_FIELDS:
        before, after = base["fields"].get(name), proposed["fields"].get(name)
        if before != after:
            if name == "parent_id":
                titles = _names(Case, [v for v in (before, after) if v], "title")
                before, after = titles.get(before, before), titles.get(after, after)
            changes.append(
                Change(FIELD_LABELS[name], "" if before is None else str(before), "" if after is None else str(after))
            )
    for name, (label, model) in CASE_LINKS.items():
        added, removed = set(proposed[name]) - set(base[name]), set(base[name]) - set(proposed[name])
        if added or removed:
            names = _names(model, added | removed, "title" if model is Source else "name")
            changes.append(Change(label, _listed(removed, names, "removed"), _listed(added, names, "added")))
    added, removed = (
        set(proposed["evidence"]) - set(base["evidence"]),
        set(base["evidence"]) - set(proposed["evidence"]),
    )
    if added or removed:
        quotes = {q.pk: str(q) for q in Quote.objects.filter(pk__in=added | removed).only("pk", "text", "start_second")}
        changes.append(Change("Evidence", _listed(removed, quotes, "removed"), _listed(added, quotes, "added")))
    before_rows = {tuple(row) for row in base["participations"]}
    after_rows = {tuple(row) for row in proposed["participations"]}
    if before_rows != after_rows:
        names = _names(Organisation, {row[0] for row in before_rows | after_rows})
        describe = lambda rows: "; ".join(sorted(f"{names.get(o, o)} ({role})" for o, role in rows))  # noqa: E731
        changes.append(Change("Organisations", describe(before_rows - after_rows), describe(after_rows - before_rows)))
    for name, label, model in (
        ("challenges", "Challenge notes", Challenge),
        ("success_factors", "Success-factor notes", SuccessFactor),
    ):
        before, after = base[name], proposed[name]
        keys = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        names = _names(model, [int(k) for k in keys])
        for key in keys:
            term = names.get(int(key), key)
            changes.append(
                Change(
                    f"{label}: {term}",
                    "(none)" if key not in before else before[key] or "(empty note)",
                    "(none)" if key not in after else after[key] or "(empty note)",
                )
            )
    before, after = base.get("supporting_links"), proposed.get("supporting_links")
    if before is not None and after is not None:  # a revision proposed before links were carried has none
        for url in sorted(url for url in set(before) | set(after) if before.get(url) != after.get(url)):

            def show(row):
                return "(none)" if row is None else f"{row[0]} ({row[1]})"

            changes.append(Change(f"Supporting link: {url}", show(before.get(url)), show(after.get(url))))
    before, after = base.get("story_evidence"), proposed.get("story_evidence")
    if before is not None and after is not None:  # a revision proposed before story evidence was carried has none
        for section in sorted(key for key in set(before) | set(after) if before.get(key) != after.get(key)):

            def show(row):
                return (
                    "(none)"
                    if row is None
                    else ("; ".join(f"quote #{pk}" for pk in row["quotes"]) or row["reason"] or "(empty)")
                )

            changes.append(
                Change(f"Evidence of the story section {section}", show(before.get(section)), show(after.get(section)))
            )
    for key in sorted(set(base["quotes"]) & set(proposed["quotes"]), key=int):
        old, new = base["quotes"][key], proposed["quotes"][key]
        for field in QUOTE_FIELDS + ["challenges", "success_factors"]:
            if old[field] != new[field]:
                changes.append(Change(f"Quote #{key}: {field.replace('_', ' ')}", str(old[field]), str(new[field])))
    return changes


def _listed(ids, names, verb):
    return f"{verb}: " + "; ".join(sorted(str(names.get(pk, pk)) for pk in ids)) if ids else ""
