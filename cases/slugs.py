"""The one slug pattern: the characters of Django's `slug` path converter and SlugField (ASCII
letters, digits, hyphen, underscore). Unicode slugs are not accepted anywhere: the URL map could
not reach a page for one."""

import re

from django.core.exceptions import ValidationError

SLUG_CHARACTERS = "-a-zA-Z0-9_"
MAX_SLUG_LENGTH = 200
SLUG = re.compile(rf"^[{SLUG_CHARACTERS}]{{1,{MAX_SLUG_LENGTH}}}$")  # a whole slug, as a parameter gives it
NOT_SLUG = re.compile(rf"[^{SLUG_CHARACTERS}]+")  # a run of characters a slug cannot hold


def validate_lower_case(value):
    """Refuse a slug holding a capital letter (ValidationError, code "upper_case"): the case
    browser's filters read the values of a URL in lower case (`?theme=Gen-Cyber` asks for
    gen-cyber), so a term saved as Gen-Cyber would be counted in its facet but never found by its
    link (found by QA). Slugs made by the admin's prepopulation and by slugify are lower case."""
    if value != value.lower():
        raise ValidationError(
            "Use lower-case letters in a slug: “%(suggestion)s”.",
            code="upper_case",
            params={"suggestion": value.lower()},
        )
