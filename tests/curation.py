"""Shared setup of the curation tests: curators per role, a case ready to publish, admin form data."""

import pytest
from django.contrib.auth.models import Group, User
from django.urls import reverse

from cases.models import Case
from tests.factories import CaseFactory, QuoteFactory, ThemeFactory


def make_curator(username, group=None, **flags):
    user = User.objects.create_user(username, f"{username}@example.org", "pw-not-used", is_staff=True, **flags)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor(db):
    return make_curator("editor", "Editors")


@pytest.fixture
def publisher(db):
    return make_curator("publisher", "Publishers")


@pytest.fixture
def superuser(db):
    return make_curator("root", is_superuser=True)


@pytest.fixture
def client_for(client):
    """client_for(user) → a test client logged in as that user (None: anonymous)."""

    def login(user):
        client.logout()
        if user is not None:
            client.force_login(user)
        return client

    return login


def publishable_case(**kwargs):
    """A case in review with a summary, a country and an evidence quote."""
    kwargs.setdefault("status", Case.Status.REVIEW)
    kwargs.setdefault("published_at", None)
    case = CaseFactory(countries=["CA"], themes=[ThemeFactory()], **kwargs)
    QuoteFactory(cases=[case])
    return case


def change_url(case):
    return reverse("admin:cases_case_change", args=[case.pk])


def form_data(response):
    """The POST data a browser would send back for the admin change form in `response`."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        data[name] = form[name].value()
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for inline_form in formset.forms:
            for name in inline_form.fields:
                data[inline_form.add_prefix(name)] = inline_form[name].value()
    # A browser sends nothing for an empty multiple select or an unticked box.
    return {key: value for key, value in data.items() if value is not None and value is not False}
