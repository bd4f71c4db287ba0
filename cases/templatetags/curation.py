"""The admin home's review queue: `{% review_queue request.user as queue %}`."""

from django import template

from ..curation.review_queue import review_queue as build_queue

register = template.Library()


@register.simple_tag
def review_queue(user):
    """cases.curation.review_queue.ReviewQueue for `user`."""
    return build_queue(user)
