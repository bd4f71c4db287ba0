"""A case's chain of parents: the one walk behind refusing a parent that makes a cycle (admin
form, revert, revision approval) and finding the cycles already stored (admin health filter)."""

from django.core.exceptions import ValidationError

from ..models import Case


def walk_parents(start, parent_of):
    """Yield `start`, its parent, its parent's parent… (pks; `parent_of(pk)` gives a parent pk or
    None) until a case has no parent or the walk comes back to a pk it has passed."""
    seen = set()
    current = start
    while current is not None and current not in seen:
        yield current
        seen.add(current)
        current = parent_of(current)


def cycle_case_ids():
    """Ids of cases whose chain of parents comes back to them (the admin refuses these; imports
    may not). One query for every parent link, then the walk in memory."""
    parent_of = dict(Case.objects.filter(parent__isnull=False).values_list("pk", "parent_id"))
    in_cycle = set()
    for start in parent_of:
        chain = list(walk_parents(start, parent_of.get))
        back_to = parent_of.get(chain[-1])
        if back_to is not None:  # the walk stopped at a pk it had passed: a loop from there
            in_cycle.update(chain[chain.index(back_to) :])
    return in_cycle


def _stored_parent(pk):
    return Case.objects.filter(pk=pk).values_list("parent_id", flat=True).first()


def validate_parent(case, parent_id):
    """Refuse (ValidationError on `parent`) a parent that is the case itself or one of its
    descendants (a cycle). Walks up from the new parent one query a step, stopping at the case."""
    if parent_id is None:
        return
    if case.pk is not None and parent_id == case.pk:
        raise ValidationError({"parent": "A case cannot be its own parent."})
    if case.pk is not None and case.pk in walk_parents(parent_id, _stored_parent):
        raise ValidationError({"parent": "This parent would make a cycle: it is part of this case already."})
