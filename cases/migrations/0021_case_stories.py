"""Case stories (issue 18): the story sections, level of government, organisational contact,
supporting links, evidence per story section, and the private Submission of /submit/. On
PostgreSQL the search index's case view takes the story sections into its body text (SQLite
recreates its views after every migration run)."""

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from cases.search import schema

# The curators' groups (migration 0005) work on the new models too; only Publishers delete submissions.
EDITOR_PERMISSIONS = [
    f"{action}_{model}"
    for model in ("supportinglink", "storyevidence")
    for action in ("view", "add", "change", "delete")
] + ["view_submission", "change_submission"]
PUBLISHER_PERMISSIONS = [*EDITOR_PERMISSIONS, "delete_submission"]


def grant_permissions(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (("Editors", EDITOR_PERMISSIONS), ("Publishers", PUBLISHER_PERMISSIONS)):
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.add(*Permission.objects.filter(content_type__app_label="cases", codename__in=codenames))


def replace_case_view(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in schema.replace_case_view_statements():
            schema_editor.execute(statement, params=None)


def restore_case_view(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in schema.replace_case_view_statements(schema.KINDS_0013):
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0020_drop_old_search_vectors"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="contact_email",
            field=models.EmailField(
                blank=True,
                help_text="An address of the organisation (such as innovation@city.example), never a person's",
                max_length=254,
                verbose_name="organisational contact",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="level_of_government",
            field=models.CharField(
                blank=True,
                choices=[
                    ("local", "Local"),
                    ("regional", "Regional"),
                    ("national", "National"),
                    ("supranational", "Supranational or international"),
                    ("several", "Several levels"),
                ],
                db_index=True,
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="results_evidence",
            field=models.CharField(
                blank=True,
                choices=[
                    ("evidence_based", "Evidence-based"),
                    ("expected", "Expected"),
                    ("not_yet_known", "Not yet known"),
                ],
                help_text="Whether the results and impact are evidence-based, expected or not yet known",
                max_length=20,
                verbose_name="results are",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="story_conditions",
            field=models.TextField(blank=True, help_text="Markdown", verbose_name="Conditions for success"),
        ),
        migrations.AddField(
            model_name="case",
            name="story_failures",
            field=models.TextField(blank=True, help_text="Markdown", verbose_name="Challenges and failures"),
        ),
        migrations.AddField(
            model_name="case",
            name="story_innovation",
            field=models.TextField(
                blank=True, help_text="Markdown", verbose_name="The innovation and what is new about it"
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="story_lessons",
            field=models.TextField(blank=True, help_text="Markdown", verbose_name="Lessons learned"),
        ),
        migrations.AddField(
            model_name="case",
            name="story_problem",
            field=models.TextField(blank=True, help_text="Markdown", verbose_name="The problem addressed"),
        ),
        migrations.AddField(
            model_name="case",
            name="story_replication",
            field=models.TextField(blank=True, help_text="Markdown", verbose_name="Replication and transferability"),
        ),
        migrations.AddField(
            model_name="case",
            name="story_results",
            field=models.TextField(blank=True, help_text="Markdown", verbose_name="Results and impact"),
        ),
        migrations.AddField(
            model_name="case",
            name="story_stakeholders",
            field=models.TextField(
                blank=True, help_text="Markdown", verbose_name="Users, beneficiaries and stakeholders"
            ),
        ),
        migrations.AddField(
            model_name="historicalcase",
            name="contact_email",
            field=models.EmailField(
                blank=True,
                help_text="An address of the organisation (such as innovation@city.example), never a person's",
                max_length=254,
                verbose_name="organisational contact",
            ),
        ),
        migrations.AddField(
            model_name="historicalcase",
            name="level_of_government",
            field=models.CharField(
                blank=True,
                choices=[
                    ("local", "Local"),
                    ("regional", "Regional"),
                    ("national", "National"),
                    ("supranational", "Supranational or international"),
                    ("several", "Several levels"),
                ],
                db_index=True,
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="historicalcase",
            name="results_evidence",
            field=models.CharField(
                blank=True,
                choices=[
                    ("evidence_based", "Evidence-based"),
                    ("expected", "Expected"),
                    ("not_yet_known", "Not yet known"),
                ],
                help_text="Whether the results and impact are evidence-based, expected or not yet known",
                max_length=20,
                verbose_name="results are",
            ),
        ),
        migrations.AddField(
            model_name="historicalcase",
            name="story_conditions",
            field=models.TextField(blank=True, help_text="Markdown", verbose_name="Conditions for success"),
        ),
        migrations.AddField(
            model_name="historicalcase",
            name="story_failures",
            field=models.TextField(blank=True, help_text="Markdown", verbose_name="Challenges and failures"),
        ),
        migrations.AddField(
            model_name="historicalcase",
            name="story_innovation",
            field=models.TextField(
                blank=True, help_text="Markdown", verbose_name="The innovation and what is new about it"
            ),
        ),
        migrations.AddField(
            model_name="historicalcase",
            name="story_lessons",
            field=models.TextField(blank=True, help_text="Markdown", verbose_name="Lessons learned"),
        ),
        migrations.AddField(
            model_name="historicalcase",
            name="story_problem",
            field=models.TextField(blank=True, help_text="Markdown", verbose_name="The problem addressed"),
        ),
        migrations.AddField(
            model_name="historicalcase",
            name="story_replication",
            field=models.TextField(blank=True, help_text="Markdown", verbose_name="Replication and transferability"),
        ),
        migrations.AddField(
            model_name="historicalcase",
            name="story_results",
            field=models.TextField(blank=True, help_text="Markdown", verbose_name="Results and impact"),
        ),
        migrations.AddField(
            model_name="historicalcase",
            name="story_stakeholders",
            field=models.TextField(
                blank=True, help_text="Markdown", verbose_name="Users, beneficiaries and stakeholders"
            ),
        ),
        migrations.CreateModel(
            name="HistoricalStoryEvidence",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                (
                    "section",
                    models.CharField(
                        choices=[
                            ("problem", "The problem addressed"),
                            ("innovation", "The innovation and what is new about it"),
                            ("stakeholders", "Users, beneficiaries and stakeholders"),
                            ("results", "Results and impact"),
                            ("failures", "Challenges and failures"),
                            ("conditions", "Conditions for success"),
                            ("replication", "Replication and transferability"),
                            ("lessons", "Lessons learned"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "no_evidence_reason",
                    models.TextField(
                        blank=True,
                        help_text="A curator's reason this section has no supporting quote yet (lets the case be published without one)",
                        verbose_name="why no evidence",
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "case",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="cases.case",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical story evidence",
                "verbose_name_plural": "historical story evidence",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalSupportingLink",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("title", models.CharField(max_length=300)),
                (
                    "url",
                    models.URLField(
                        max_length=500,
                        validators=[django.core.validators.URLValidator(schemes=["http", "https"])],
                        verbose_name="URL",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("report", "Report"),
                            ("video", "Video"),
                            ("dataset", "Dataset"),
                            ("article", "Article"),
                        ],
                        default="report",
                        max_length=10,
                    ),
                ),
                ("order", models.PositiveSmallIntegerField(default=0)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "case",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="cases.case",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical supporting link",
                "verbose_name_plural": "historical supporting links",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="StoryEvidence",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "section",
                    models.CharField(
                        choices=[
                            ("problem", "The problem addressed"),
                            ("innovation", "The innovation and what is new about it"),
                            ("stakeholders", "Users, beneficiaries and stakeholders"),
                            ("results", "Results and impact"),
                            ("failures", "Challenges and failures"),
                            ("conditions", "Conditions for success"),
                            ("replication", "Replication and transferability"),
                            ("lessons", "Lessons learned"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "no_evidence_reason",
                    models.TextField(
                        blank=True,
                        help_text="A curator's reason this section has no supporting quote yet (lets the case be published without one)",
                        verbose_name="why no evidence",
                    ),
                ),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="story_evidence", to="cases.case"
                    ),
                ),
                ("quotes", models.ManyToManyField(blank=True, related_name="story_evidence", to="cases.quote")),
            ],
            options={
                "verbose_name_plural": "story evidence",
                "ordering": ["case", "section"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalStoryEvidence_quotes",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="cases.historicalstoryevidence",
                    ),
                ),
                (
                    "quote",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="cases.quote",
                    ),
                ),
                (
                    "storyevidence",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="cases.storyevidence",
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalStoryEvidence_quotes",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Submission",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reference", models.CharField(editable=False, max_length=20, unique=True)),
                ("title", models.CharField(help_text="As submitted (kept when the draft is removed)", max_length=200)),
                ("submitter_name", models.CharField(blank=True, max_length=200)),
                ("submitter_email", models.EmailField(blank=True, max_length=254)),
                (
                    "submitter_role",
                    models.CharField(blank=True, help_text="Their role in the initiative", max_length=200),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("new", "New"),
                            ("accepted", "Accepted"),
                            ("merged", "Merged into another case"),
                            ("declined", "Declined"),
                        ],
                        db_index=True,
                        default="new",
                        max_length=10,
                    ),
                ),
                ("decline_reason", models.TextField(blank=True)),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                ("last_contacted_at", models.DateTimeField(blank=True, null=True)),
                ("personal_data_erased_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                (
                    "case",
                    models.ForeignKey(
                        blank=True,
                        help_text="The draft the submission became, or the case it was merged into",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="submissions",
                        to="cases.case",
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="SupportingLink",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=300)),
                (
                    "url",
                    models.URLField(
                        max_length=500,
                        validators=[django.core.validators.URLValidator(schemes=["http", "https"])],
                        verbose_name="URL",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("report", "Report"),
                            ("video", "Video"),
                            ("dataset", "Dataset"),
                            ("article", "Article"),
                        ],
                        default="report",
                        max_length=10,
                    ),
                ),
                ("order", models.PositiveSmallIntegerField(default=0)),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="supporting_links", to="cases.case"
                    ),
                ),
            ],
            options={
                "ordering": ["order", "title", "pk"],
            },
        ),
        migrations.AddConstraint(
            model_name="storyevidence",
            constraint=models.UniqueConstraint(fields=("case", "section"), name="story_evidence_unique_section"),
        ),
        migrations.AddConstraint(
            model_name="submission",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "declined"), _negated=True),
                    models.Q(("decline_reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="submission_declined_has_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="supportinglink",
            constraint=models.UniqueConstraint(fields=("case", "url"), name="supporting_link_unique_url"),
        ),
        # New columns are empty: no entry changes, so no refill.
        migrations.RunPython(replace_case_view, restore_case_view, elidable=False),
        migrations.RunPython(grant_permissions, migrations.RunPython.noop, elidable=False),
    ]
