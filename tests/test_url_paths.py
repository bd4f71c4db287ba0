"""cases/url_paths.py: URLs reversed once and filled in, as reverse() gives them."""

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from cases.url_paths import reverse_path


@pytest.mark.parametrize(
    ("name", "kwarg", "value"),
    [
        ("cases:case-detail", "slug", "gen-case-00010"),
        ("cases:case-detail", "slug", "0123"),
        ("cases:quote-detail", "pk", 42),
        ("cases:source-detail", "key", "gen-video-0191"),
        ("cases:country-detail", "code", "sn"),
        ("cases:challenge-detail", "slug", "x_y-9"),
    ],
)
def test_reverse_path_gives_what_reverse_gives_under_any_script_prefix(name, kwarg, value):
    assert reverse_path(name, kwarg, value) == reverse(name, kwargs={kwarg: value})
    set_script_prefix("/kb/")
    try:
        assert reverse_path(name, kwarg, value) == reverse(name, kwargs={kwarg: value})
        assert reverse_path(name, kwarg, value).startswith("/kb/")
    finally:
        clear_script_prefix()
    assert not reverse_path(name, kwarg, value).startswith("/kb/")


def test_the_models_links_are_reverses(db):
    from tests.factories import CaseFactory, ChallengeFactory, QuoteFactory, SourceFactory

    case, source, challenge = CaseFactory(), SourceFactory(), ChallengeFactory()
    quote = QuoteFactory(source=source, cases=[case])
    assert case.get_absolute_url() == reverse("cases:case-detail", kwargs={"slug": case.slug})
    assert quote.get_absolute_url() == reverse("cases:quote-detail", kwargs={"pk": quote.pk})
    assert source.get_absolute_url() == reverse("cases:source-detail", kwargs={"key": source.slug})
    assert challenge.get_absolute_url() == reverse("cases:challenge-detail", kwargs={"slug": challenge.slug})
    country = case.countries.first()
    if country is not None:
        assert country.get_absolute_url() == reverse("cases:country-detail", kwargs={"code": country.code.lower()})


def test_the_path_tag_gives_what_the_url_tag_gives_under_any_script_prefix():
    import re
    from pathlib import Path

    from django.template import engines
    from django.urls import NoReverseMatch

    names = sorted(set(re.findall(r"{% path '([^']+)' %}", Path("templates/base.html").read_text())))
    assert len(names) > 15  # the navigation and footer of every page
    engine = engines["django"]
    both = engine.from_string(
        "{% load url_paths %}" + "".join(f"{{% path '{name}' %}}|{{% url '{name}' %}}\n" for name in names)
    )
    for prefix in ("/", "/kb/", "/a b/"):
        set_script_prefix(prefix)
        try:
            lines = both.render({}).splitlines()
        finally:
            clear_script_prefix()
        for line in lines:
            ours, django_url = line.split("|")
            assert ours == django_url and ours.startswith(prefix.replace(" ", "%20"))
    with pytest.raises(NoReverseMatch):
        engine.from_string("{% load url_paths %}{% path 'cases:no-such-page' %}").render({})
