"""URLs of one pattern for many values, reversed once: a page of 50 quotes reversed 200 URLs
(a quote's, its source's, each case it supports), a fifth of its time, and an export thousands."""

from functools import lru_cache
from string import ascii_letters, digits
from urllib.parse import quote

from django.conf import settings
from django.core.signals import setting_changed
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.http import RFC3986_SUBDELIMS

PLACEHOLDER = "0123456789876543210"  # matches the `int`, `slug` and `str` converters alike


def url_parts(absolute_url, name, kwarg, *, placeholder=PLACEHOLDER):
    """(prefix, suffix) of `absolute_url(reverse(name, kwargs={kwarg: value}))` around the value
    (the case export's SQL joins them around quote ids: browse/export_sql.py).

    The placeholder must match the URL pattern's converter (digits match `int` and `slug` alike).
    ValueError when the URL does not hold it once.
    """
    template = absolute_url(reverse(name, kwargs={kwarg: placeholder}))
    prefix, found, suffix = template.partition(placeholder)
    if not found or placeholder in suffix:
        raise ValueError(f"the URL of {name} does not hold its argument once: {template}")
    return prefix, suffix


def url_maker(absolute_url, name, kwarg, *, placeholder=PLACEHOLDER):
    """A function of one URL argument giving `absolute_url(reverse(name, kwargs={kwarg: value}))`,
    reversed once (url_parts): an export of thousands of rows spent most of its Python time in
    reverse(). Values are quoted as reverse() quotes them.
    """
    prefix, suffix = url_parts(absolute_url, name, kwarg, placeholder=placeholder)
    safe = RFC3986_SUBDELIMS + "/~:@"
    unquoted = ascii_letters + digits + "_.-~" + safe  # what quote() leaves as it is

    def make(value):
        # An int needs no quoting (an export makes tens of thousands of quote URLs), nor a text
        # of characters quote() keeps (a slug): one search instead of quote()'s encode and decode.
        if type(value) is int:
            return f"{prefix}{value}{suffix}"
        text = str(value)
        if not text.rstrip(unquoted):
            return f"{prefix}{text}{suffix}"
        return f"{prefix}{quote(text, safe=safe)}{suffix}"

    return make


def _reversing():
    """(URL conf, script prefix) of the thread: what reverse() reads, so the key of every reversal kept."""
    return get_urlconf() or settings.ROOT_URLCONF, get_script_prefix()


@lru_cache(maxsize=256)
def _path_maker(name, kwarg, urlconf, script_prefix):
    return url_maker(str, name, kwarg)


def reverse_path(name, kwarg, value):
    """`reverse(name, kwargs={kwarg: value})`, the pattern reversed once per URL conf and script
    prefix (a model's get_absolute_url: list pages call it for every row)."""
    return _path_maker(name, kwarg, *_reversing())(value)


@lru_cache(maxsize=256)
def _fixed_path(name, urlconf, script_prefix):
    return reverse(name)


def fixed_path(name):
    """`reverse(name)` of a pattern without arguments, reversed once per URL conf and script prefix:
    the site's navigation and footer reverse about 25 of them on every page (~20 µs each)."""
    return _fixed_path(name, *_reversing())


def _forget_on_urlconf_change(*, setting, **kwargs):
    # Tests that swap the URL conf (override_settings(ROOT_URLCONF=…)) get their own patterns.
    if setting == "ROOT_URLCONF":
        _path_maker.cache_clear()
        _fixed_path.cache_clear()


setting_changed.connect(_forget_on_urlconf_change)
