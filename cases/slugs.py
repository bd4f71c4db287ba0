"""The one slug pattern: the characters of Django's `slug` path converter and SlugField (ASCII
letters, digits, hyphen, underscore). Unicode slugs are not accepted anywhere: the URL map could
not reach a page for one."""

import re

SLUG_CHARACTERS = "-a-zA-Z0-9_"
MAX_SLUG_LENGTH = 200
SLUG = re.compile(rf"^[{SLUG_CHARACTERS}]{{1,{MAX_SLUG_LENGTH}}}$")  # a whole slug, as a parameter gives it
NOT_SLUG = re.compile(rf"[^{SLUG_CHARACTERS}]+")  # a run of characters a slug cannot hold
