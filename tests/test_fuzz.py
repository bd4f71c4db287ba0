"""Property-based fuzzing of every public URL pattern: random and hostile path segments and query
strings never give a 5xx or a traceback, whatever Unicode they hold (every category: other scripts' digits,
controls, NUL, lone surrogates sent as the bytes "surrogatepass" gives them).

The patterns are read from the URL configuration when the test runs, so new pages are fuzzed as
soon as they exist.
"""

import os
import re
from urllib.parse import quote

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import (
    Approach,
    Case,
    Challenge,
    Country,
    Document,
    Organisation,
    Quote,
    Source,
    SuccessFactor,
    Theme,
    Topic,
)

# CI: a fixed set of examples (derandomised), about a minute on PostgreSQL with 2 cores. A deeper,
# random search: HYPOTHESIS_EXAMPLES=500 make test PYTEST_ARGS=tests/test_fuzz.py
EXAMPLES_PER_PATTERN = int(os.environ.get("HYPOTHESIS_EXAMPLES", "25"))
DERANDOMIZE = "HYPOTHESIS_EXAMPLES" not in os.environ

HOSTILE = [
    "",
    " ",
    "'",
    '"',
    "`",
    "\\",
    "%",
    "%%",
    "%ZZ",
    "%00",
    "\x00",
    "a\x00b",
    "\n",
    "\r\n",
    "\t",
    "<script>alert(1)</script>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "' OR '1'='1",
    "1; DROP TABLE cases_case; --",
    "' UNION SELECT NULL--",
    "%' AND 1=1 --",
    "../../../../etc/passwd",
    "..",
    ".",
    "/",
    "//",
    "?",
    "#",
    "&",
    "=",
    "&&==",
    "-1",
    "0",
    "00",
    "1.5",
    "1e309",
    "-0",
    "NaN",
    "inf",
    "-inf",
    "9" * 40,
    str(2**63),
    str(-(2**63) - 1),
    "2025-13-45",
    "1899",
    "2101",
    "99999",
    "true",
    "null",
    "None",
    "[]",
    "{}",
    "{{7*7}}",
    "${7*7}",
    "😀",
    "\u202e",
    "\ufeff",
    "\ud7ff",
    "Ω" * 50,
    "a" * 5000,
    "x" * 201,
    "ZZ",
    "zz",
    "xx",
    "ÄÖ",
    "relevance",
    "-year",
    "title",
    "year",
    "-updated",
    "deep-space-food-challenge,gavi",
    ",,,",
    "²",
    "①",
    "٣",
    "३",
    "３",
    "1²",
    "\x0b",
    "\x0c",
    "\x1f",
    "\x7f",
    "\u200b",
    "\ud800",
    "\udfff",
    "\uffff",
]

QUERY_KEYS = [
    "q",
    "country",
    "region",
    "theme",
    "approach",
    "family",
    "organisation",
    "challenge",
    "success_factor",
    "stage",
    "year_from",
    "year_to",
    "sort",
    "page",
    "cases",
    "source",
    "case",
    "text",
    "format",
    "kind",
    "status",
    "per_page",
    "order",
    "t",
    "type",
    "next",
    "lang",
    "id",
]

# Every Unicode category, surrogates (Cs) included: a lone surrogate cannot be UTF-8, so it is
# sent as the bytes Python's "surrogatepass" gives it (%ED%A0%80), which are not UTF-8 either.
any_character = st.characters(codec=None, categories=None, exclude_categories=())
# The categories that broke pages: other scripts' digits and numbers, controls and format marks.
number_like = st.characters(categories=["Nd", "Nl", "No"])
control = st.one_of(st.characters(categories=["Cc", "Cf", "Cs", "Co"]), st.just("\x00"))
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.text(alphabet=any_character, max_size=20),
    st.text(alphabet=st.one_of(number_like, st.sampled_from("0123456789")), min_size=1, max_size=6),
    st.text(alphabet=st.one_of(control, st.sampled_from("ab1")), min_size=1, max_size=8),
)


def escape(value):
    """`value` percent-encoded as UTF-8, lone surrogates as the bytes "surrogatepass" makes of them."""
    return quote(str(value).encode("utf-8", "surrogatepass"), safe="")


def public_patterns(resolver=None, prefix=""):
    """(route, URLPattern) of every URL pattern outside the admin."""
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin" or route.startswith("admin/"):
                continue
            found += public_patterns(entry, route)
        elif isinstance(entry, URLPattern):
            found.append((route, entry))
    return found


def known_values():
    """Path parameters that reach real objects, by URL name: the fuzzing then goes past the 404."""
    values = {}
    models = [Case, Challenge, SuccessFactor, Country, Theme, Approach, Organisation, Source, Document, Topic, Quote]
    for model in models:
        for obj in model.objects.all()[:5]:
            try:
                match = resolve(obj.get_absolute_url())
            except Exception:  # noqa: BLE001 (a model without a public page: nothing to add)
                continue
            values.setdefault(match.url_name, []).append(match.kwargs)
    return values


def path_strategy(route, pattern, known):
    converters = getattr(pattern.pattern, "converters", {})
    names = list(converters)
    if not names:
        return st.just(route)

    def value_for(converter):
        matching = st.from_regex(converter.regex, fullmatch=True)
        return st.one_of(
            matching,
            st.sampled_from(HOSTILE).filter(lambda value: re.fullmatch(converter.regex, value)),
            hostile_text,
        )

    generated = st.fixed_dictionaries({name: value_for(converters[name]) for name in names})
    real = [kwargs for kwargs in known.get(pattern.name, []) if set(kwargs) == set(names)]
    kwargs = st.one_of(st.sampled_from(real), generated) if real else generated

    def build(values):
        path = route
        for name in names:
            path = re.sub(rf"<(?:\w+:)?{name}>", lambda _, value=values[name]: escape(value), path)
        return path

    return kwargs.map(build)


query_pair = st.tuples(st.one_of(st.sampled_from(QUERY_KEYS), hostile_text), hostile_text)
raw_query = st.one_of(
    st.lists(query_pair, max_size=6).map(lambda pairs: "&".join(f"{escape(k)}={escape(v)}" for k, v in pairs)),
    st.sampled_from(
        [
            "%ZZ",
            "a=%ff%fe",
            "=&=&",
            "page=1&page=2&page=x",
            "q",
            "&&&",
            "q=%00",
            "country=%E2%80%AE",
            "page=%C2%B2",
            "page=%E2%91%A0",
            "page=%D9%A3",
            "year_from=%D9%A3",
            "q=%ED%A0%80",
        ]
    ),
)


def fetch(client, url):
    # A savepoint per request: one failing query must not poison the next on PostgreSQL.
    with transaction.atomic():
        return client.get(url)


@pytest.mark.django_db
def test_no_public_url_answers_5xx_or_a_traceback(seed, client):
    known = known_values()
    patterns = public_patterns()
    assert len(patterns) >= 10
    failures = []
    for route, pattern in patterns:

        @settings(
            max_examples=EXAMPLES_PER_PATTERN,
            deadline=None,
            database=None,
            derandomize=DERANDOMIZE,
            suppress_health_check=[
                HealthCheck.function_scoped_fixture,
                HealthCheck.too_slow,
                HealthCheck.filter_too_much,
            ],
        )
        @given(path=path_strategy(route, pattern, known), query=raw_query)
        def fuzz(path, query):
            url = "/" + path + ("?" + query if query else "")
            response = fetch(client, url)
            # The path and query are random: any answer but a server error is right here (the
            # exact answers to known bad inputs are pinned in tests/test_hostile_input.py).
            assert response.status_code < 500, f"GET {url!r} answered {response.status_code}"
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert b"Traceback" not in body, f"GET {url!r} shows a traceback"

        try:
            fuzz()
        except Exception as error:  # noqa: BLE001 (every pattern is fuzzed; all failures reported at the end)
            notes = "\n".join(getattr(error, "__notes__", []))
            failures.append(f"/{route} ({pattern.name}): {type(error).__name__}: {error}\n{notes}")
    assert not failures, "\n\n".join(failures)
