"""factory-boy factories for the domain models."""

import factory
from django.utils import timezone

from cases.models import (
    Approach,
    Case,
    CaseChallenge,
    CaseSuccessFactor,
    Challenge,
    Country,
    Document,
    Organisation,
    Participation,
    Quote,
    Source,
    SuccessFactor,
    Theme,
    Topic,
)


def country(code):
    """Countries are reference data loaded by a migration: fetch, never create."""
    return Country.objects.get(code=code.upper())


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Theme {n}")
    slug = factory.Sequence(lambda n: f"theme-{n}")


class ApproachFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Approach
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Approach {n}")
    slug = factory.Sequence(lambda n: f"approach-{n}")
    family = Approach.Family.EXPERIMENTATION


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    kind = Organisation.Kind.AGENCY


class ChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Challenge
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Challenge {n}")
    slug = factory.Sequence(lambda n: f"challenge-{n}")
    description = "A barrier."


class SuccessFactorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SuccessFactor
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Success factor {n}")
    slug = factory.Sequence(lambda n: f"success-factor-{n}")
    kind = SuccessFactor.Kind.PROJECT


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    kind = Source.Kind.VIDEO
    title = factory.Sequence(lambda n: f"Webinar {n}")
    youtube_id = factory.Sequence(lambda n: f"vid{n:08d}")
    slug = factory.SelfAttribute("youtube_id")
    url = factory.LazyAttribute(lambda source: f"https://www.youtube.com/watch?v={source.youtube_id}")


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Case {n}")
    slug = factory.Sequence(lambda n: f"case-{n}")
    summary = factory.LazyAttribute(lambda case: f"Summary of {case.title}.")
    body = "Some **markdown** body."
    status = Case.Status.PUBLISHED
    stage = Case.Stage.PILOT
    start_year = 2020
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def countries(self, create, codes, **kwargs):
        if create and codes:
            self.countries.set([country(code) for code in codes])

    @factory.post_generation
    def themes(self, create, themes, **kwargs):
        if create and themes:
            self.themes.set(themes)

    @factory.post_generation
    def approaches(self, create, approaches, **kwargs):
        if create and approaches:
            self.approaches.set(approaches)


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    case = factory.SubFactory(CaseFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Participation.Role.LEAD


class CaseChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseChallenge

    case = factory.SubFactory(CaseFactory)
    challenge = factory.SubFactory(ChallengeFactory)
    note = "How the case met it."


class CaseSuccessFactorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseSuccessFactor

    case = factory.SubFactory(CaseFactory)
    success_factor = factory.SubFactory(SuccessFactorFactory)
    note = "How the case shows it."


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"topic_{n}")
    label = factory.Sequence(lambda n: f"Topic {n}")


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    title = factory.Sequence(lambda n: f"Document {n}")
    slug = factory.Sequence(lambda n: f"document_{n}")
    source = factory.SubFactory(SourceFactory)
    body = "A body."


class QuoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Quote
        skip_postgeneration_save = True

    source = factory.SubFactory(SourceFactory)
    text = factory.Sequence(lambda n: f"Statement number {n}.")
    start_second = factory.Sequence(lambda n: n * 7)
    position = factory.Sequence(lambda n: n)

    @factory.post_generation
    def cases(self, create, cases, **kwargs):
        if create and cases:
            self.cases.set(cases)
