"""The API's URL fields: absolute links to an object's public page and its API detail, reversed once per request."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# Values that every URL pattern of their kind accepts; a URL holds its value last, so the last
# occurrence of the placeholder is the one filled in.
PLACEHOLDERS = {"pk": 987654321987654321, "code": "zz"}
SLUG_PLACEHOLDER = "0-placeholder-0"


def absolute_url(request, name, kwarg, value):
    """The absolute URL of `name` (a URL name) with `kwarg=value`: reversed once per request and
    name, then filled in (reverse() per object was a third of a 50-case page's time)."""
    templates = request.__dict__.setdefault("_api_url_templates", {})
    template = templates.get((name, kwarg))
    if template is None:
        placeholder = PLACEHOLDERS.get(kwarg, SLUG_PLACEHOLDER)
        url = request.build_absolute_uri(reverse(name, kwargs={kwarg: placeholder}))
        template = templates[(name, kwarg)] = url.rpartition(str(placeholder))[::2]
    head, tail = template
    return f"{head}{value}{tail}"


_DATETIME = serializers.DateTimeField()


def iso_datetime(value):
    """A datetime as DRF's DateTimeField writes it (ISO 8601, UTC as Z), None as None."""
    return None if value is None else _DATETIME.to_representation(value)


class LinkField(serializers.Field):
    """The absolute URL of a page of the object: URL name `name`, its `kwarg` taken from the
    object's `attribute` (country codes in lower case, as the site's URLs have them)."""

    def __init__(self, name, kwarg="slug", attribute=None, **kwargs):
        super().__init__(source="*", read_only=True, **kwargs)
        self.name, self.kwarg, self.attribute = name, kwarg, attribute or kwarg

    def to_representation(self, obj):
        value = getattr(obj, self.attribute)
        if self.attribute == "code":
            value = value.lower()
        return absolute_url(self.context["request"], self.name, self.kwarg, value)


extend_schema_field(OpenApiTypes.URI)(LinkField)


def PageUrl(name, kwarg="slug", attribute=None):  # noqa: N802 (reads as a field class)
    """The absolute URL of the object's public page (the site's URL name `cases:<name>`)."""
    return LinkField(f"cases:{name}", kwarg, attribute)


def ApiUrl(name, lookup="slug"):  # noqa: N802
    """The absolute URL of the object in the API (`api:<name>`, looked up by `lookup`)."""
    return LinkField(f"api:{name}", lookup, lookup)


class SerializerPageField(LinkField):
    """A LinkField whose serializer names the page: URL name `<namespace>:<serializer.page>`, looked
    up by `serializer.lookup` (a `slug`, or a country's `code`). Resolved when the field is bound."""

    def __init__(self, namespace, **kwargs):
        super().__init__(None, **kwargs)
        self.namespace = namespace

    def bind(self, field_name, parent):
        super().bind(field_name, parent)
        self.name = f"{self.namespace}:{parent.page}"
        self.kwarg = self.attribute = parent.lookup
