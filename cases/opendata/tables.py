"""The tables of the whole-library downloads: for each, its columns with their meaning and the
query of its published rows, read as plain tuples a chunk at a time."""

from dataclasses import dataclass

from ..models import (
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
    StorySection,
    SuccessFactor,
    SupportingLink,
    Theme,
    Topic,
)

CHUNK_SIZE = 2000
# The case story's sections (issue 18) as columns of the cases table, in the case page's order.
STORY_COLUMNS = [(section, section.field_name) for section in StorySection]


@dataclass(frozen=True)
class Table:
    """One exported table: its name, what it holds, its columns ((name, SQLite type, meaning)),
    and `rows()`: the queryset whose values_list gives the columns in order."""

    name: str
    description: str
    columns: tuple
    rows: object  # a function returning a values_list queryset

    @property
    def column_names(self):
        return [name for name, _, _ in self.columns]


def _published_cases():
    return Case.objects.published()


def _public(model):
    return model.objects.public().order_by("pk")


def _links(model, *values, **extra):
    return model.objects.filter(case__in=_published_cases()).order_by("pk").values_list(*values, **extra)


def _case_ids():
    return _published_cases().values("pk")


TABLES = (
    Table(
        "cases",
        "Published cases",
        (
            ("id", "INTEGER PRIMARY KEY", "stable id"),
            ("slug", "TEXT", "the case page is /cases/<slug>/"),
            ("title", "TEXT", ""),
            ("summary", "TEXT", "one paragraph, plain text"),
            ("body", "TEXT", "Markdown source"),
            ("stage", "TEXT", "idea, pilot, scaling, institutionalised or empty"),
            ("start_year", "INTEGER", ""),
            ("end_year", "INTEGER", "empty: still running or unknown"),
            ("website", "TEXT", ""),
            ("level_of_government", "TEXT", "local, regional, national, supranational, several or empty"),
            ("contact_email", "TEXT", "the organisation's contact address, or empty"),
            *((field, "TEXT", f"case story, Markdown: {section.label}") for section, field in STORY_COLUMNS),
            ("results_evidence", "TEXT", "the results are evidence_based, expected, not_yet_known or empty"),
            ("parent_id", "INTEGER", "cases.id of the initiative it is part of (published only)"),
            ("published_at", "TEXT", "ISO 8601, UTC"),
            ("updated_at", "TEXT", "ISO 8601, UTC"),
        ),
        lambda: (
            _published_cases()
            .order_by("pk")
            .values_list(
                "pk",
                "slug",
                "title",
                "summary",
                "body",
                "stage",
                "start_year",
                "end_year",
                "website",
                "level_of_government",
                "contact_email",
                *(field for _, field in STORY_COLUMNS),
                "results_evidence",
                "parent_id",
                "parent__status",
                "published_at",
                "updated_at",
            )
        ),
    ),
    Table(
        "supporting_links",
        "Documents about a published case elsewhere on the web (the case page's further reading)",
        (
            ("case_id", "INTEGER", "cases.id"),
            ("title", "TEXT", ""),
            ("url", "TEXT", ""),
            ("kind", "TEXT", "report, video, dataset or article"),
        ),
        lambda: _links(SupportingLink, "case_id", "title", "url", "kind"),
    ),
    Table(
        "case_countries",
        "Countries taking part in each case",
        (
            ("case_id", "INTEGER", "cases.id"),
            ("country_code", "TEXT", "countries.code"),
        ),
        lambda: _links(Case.countries.through, "case_id", "country_id"),
    ),
    Table(
        "case_themes",
        "Themes of each case",
        (
            ("case_id", "INTEGER", "cases.id"),
            ("theme_id", "INTEGER", "themes.id"),
        ),
        lambda: _links(Case.themes.through, "case_id", "theme_id"),
    ),
    Table(
        "case_approaches",
        "Innovation approaches of each case",
        (
            ("case_id", "INTEGER", "cases.id"),
            ("approach_id", "INTEGER", "approaches.id"),
        ),
        lambda: _links(Case.approaches.through, "case_id", "approach_id"),
    ),
    Table(
        "participations",
        "Organisations taking part in each case, with their role",
        (
            ("case_id", "INTEGER", "cases.id"),
            ("organisation_id", "INTEGER", "organisations.id"),
            ("role", "TEXT", "lead, partner, funder, host or member"),
        ),
        lambda: _links(Participation, "case_id", "organisation_id", "role"),
    ),
    Table(
        "case_challenges",
        "Challenges each case met (a claim), with the curator's note",
        (
            ("case_id", "INTEGER", "cases.id"),
            ("challenge_id", "INTEGER", "challenges.id"),
            ("note", "TEXT", ""),
        ),
        lambda: _links(CaseChallenge, "case_id", "challenge_id", "note"),
    ),
    Table(
        "case_success_factors",
        "Success factors each case shows (a claim), with the curator's note",
        (
            ("case_id", "INTEGER", "cases.id"),
            ("success_factor_id", "INTEGER", "success_factors.id"),
            ("note", "TEXT", ""),
        ),
        lambda: _links(CaseSuccessFactor, "case_id", "success_factor_id", "note"),
    ),
    Table(
        "countries",
        "ISO 3166-1 countries",
        (
            ("code", "TEXT PRIMARY KEY", "alpha-2, upper case"),
            ("name", "TEXT", ""),
            ("region", "TEXT", ""),
        ),
        lambda: Country.objects.order_by("code").values_list("code", "name", "region"),
    ),
    Table(
        "themes",
        "Policy domains a published case is filed under",
        (
            ("id", "INTEGER PRIMARY KEY", "stable id"),
            ("slug", "TEXT", ""),
            ("name", "TEXT", ""),
            ("description", "TEXT", ""),
        ),
        lambda: _public(Theme).values_list("pk", "slug", "name", "description"),
    ),
    Table(
        "approaches",
        "Innovation approaches of published cases",
        (
            ("id", "INTEGER PRIMARY KEY", "stable id"),
            ("slug", "TEXT", ""),
            ("name", "TEXT", ""),
            ("family", "TEXT", "collective_intelligence, experimentation or governance"),
            ("description", "TEXT", ""),
        ),
        lambda: _public(Approach).values_list("pk", "slug", "name", "family", "description"),
    ),
    Table(
        "organisations",
        "Organisations taking part in published cases",
        (
            ("id", "INTEGER PRIMARY KEY", "stable id"),
            ("slug", "TEXT", ""),
            ("name", "TEXT", ""),
            ("kind", "TEXT", ""),
            ("country_code", "TEXT", "countries.code or empty"),
            ("website", "TEXT", ""),
        ),
        lambda: _public(Organisation).values_list("pk", "slug", "name", "kind", "country_id", "website"),
    ),
    Table(
        "challenges",
        "Barriers to cross-border innovation",
        (
            ("id", "INTEGER PRIMARY KEY", "stable id"),
            ("slug", "TEXT", ""),
            ("name", "TEXT", ""),
            ("description", "TEXT", "Markdown"),
            ("position", "INTEGER", "order in the list"),
        ),
        lambda: Challenge.objects.order_by("pk").values_list("pk", "slug", "name", "description", "order"),
    ),
    Table(
        "success_factors",
        "Enablers of cross-border innovation",
        (
            ("id", "INTEGER PRIMARY KEY", "stable id"),
            ("slug", "TEXT", ""),
            ("name", "TEXT", ""),
            ("kind", "TEXT", "project or ecosystem"),
            ("description", "TEXT", "Markdown"),
            ("position", "INTEGER", "order in its kind"),
        ),
        lambda: SuccessFactor.objects.order_by("pk").values_list("pk", "slug", "name", "kind", "description", "order"),
    ),
    Table(
        "sources",
        "Recorded webinars, reports and web pages the evidence comes from",
        (
            ("id", "INTEGER PRIMARY KEY", "stable id"),
            ("slug", "TEXT", "for a video: its YouTube id"),
            ("kind", "TEXT", "video, report or web"),
            ("title", "TEXT", ""),
            ("url", "TEXT", ""),
            ("youtube_id", "TEXT", ""),
            ("channel", "TEXT", ""),
            ("publisher", "TEXT", ""),
            ("published_on", "TEXT", "ISO 8601 date"),
            ("duration_seconds", "INTEGER", "checked by a curator"),
        ),
        lambda: Source.objects.order_by("pk").values_list(
            "pk",
            "slug",
            "kind",
            "title",
            "url",
            "youtube_id",
            "channel",
            "publisher",
            "published_on",
            "duration_seconds",
        ),
    ),
    Table(
        "documents",
        "Imported webinar summary articles",
        (
            ("id", "INTEGER PRIMARY KEY", "stable id"),
            ("slug", "TEXT", ""),
            ("title", "TEXT", ""),
            ("source_id", "INTEGER", "sources.id"),
            ("body", "TEXT", "Markdown with timestamp links"),
            ("needs_review", "INTEGER", "1: its timestamps are under review"),
        ),
        lambda: Document.objects.order_by("pk").values_list("pk", "slug", "title", "source_id", "body", "needs_review"),
    ),
    Table(
        "topics",
        "Wiki-link targets of the documents",
        (
            ("id", "INTEGER PRIMARY KEY", "stable id"),
            ("slug", "TEXT", ""),
            ("label", "TEXT", ""),
        ),
        lambda: Topic.objects.order_by("pk").values_list("pk", "slug", "label"),
    ),
    Table(
        "quotes",
        "Timestamped statements from the sources",
        (
            ("id", "INTEGER PRIMARY KEY", "stable id: the quote page is /quotes/<id>/"),
            ("text", "TEXT", ""),
            ("source_id", "INTEGER", "sources.id"),
            ("document_id", "INTEGER", "documents.id or empty"),
            ("start_second", "INTEGER", "second of the recording the statement starts at"),
            ("other_seconds", "TEXT", "JSON list of every other second cited for it"),
            ("time_status", "TEXT", "exact, corrected or under_review"),
            ("corrected_from_seconds", "INTEGER", "the second the import corrected (time_status corrected)"),
            ("heading_path", "TEXT", "headings it stood under, ' > '-joined"),
        ),
        lambda: Quote.objects.order_by("pk").values_list(
            "pk",
            "text",
            "source_id",
            "document_id",
            "start_second",
            "other_seconds",
            "time_status",
            "corrected_from_seconds",
            "heading_path",
        ),
    ),
    Table(
        "quote_cases",
        "Published cases each quote is evidence for",
        (
            ("quote_id", "INTEGER", "quotes.id"),
            ("case_id", "INTEGER", "cases.id"),
        ),
        lambda: (
            Quote.cases.through.objects.filter(case__in=_case_ids()).order_by("pk").values_list("quote_id", "case_id")
        ),
    ),
    Table(
        "quote_challenges",
        "Challenges each quote is evidence of",
        (
            ("quote_id", "INTEGER", "quotes.id"),
            ("challenge_id", "INTEGER", "challenges.id"),
        ),
        lambda: Quote.challenges.through.objects.order_by("pk").values_list("quote_id", "challenge_id"),
    ),
    Table(
        "quote_success_factors",
        "Success factors each quote is evidence of",
        (
            ("quote_id", "INTEGER", "quotes.id"),
            ("success_factor_id", "INTEGER", "success_factors.id"),
        ),
        lambda: Quote.success_factors.through.objects.order_by("pk").values_list("quote_id", "successfactor_id"),
    ),
)


def table_rows(table):
    """The table's rows as tuples in its columns' order (the cases' parent only when published)."""
    rows = table.rows().iterator(chunk_size=CHUNK_SIZE)
    if table.name != "cases":
        yield from rows
        return
    for *head, parent_id, parent_status, published_at, updated_at in rows:
        yield (*head, parent_id if parent_status == Case.Status.PUBLISHED else None, published_at, updated_at)
