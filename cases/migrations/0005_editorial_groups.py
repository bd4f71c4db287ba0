"""The two editorial roles as groups: Editors write and submit for review, Publishers also publish.

Enforcement lives in the admin (cases/admin/case.py) and cases/workflow.py; these groups hold the
model permissions it checks. Permissions are created here first, because Django only creates
them after all migrations ran.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"
PUBLISHERS = "Publishers"

# What an Editor may do, as (app label, codename) pairs.
EDITOR_PERMISSIONS = [
    *[("cases", f"{action}_case") for action in ("view", "add", "change", "delete")],
    *[
        ("cases", f"{action}_{model}")
        for model in ("participation", "casechallenge", "casesuccessfactor")
        for action in ("view", "add", "change", "delete")
    ],
    *[
        ("cases", f"{action}_{model}")
        for model in ("organisation", "theme", "approach", "challenge", "successfactor")
        for action in ("view", "add", "change")
    ],
    *[("cases", f"{action}_quote") for action in ("view", "add", "change")],
    *[("cases", f"view_{model}") for model in ("country", "source", "document", "topic")],
]
# A Publisher does everything an Editor does, plus publishing and deleting content.
PUBLISHER_PERMISSIONS = [
    *EDITOR_PERMISSIONS,
    ("cases", "publish_case"),
    *[
        ("cases", f"delete_{model}")
        for model in ("organisation", "theme", "approach", "challenge", "successfactor", "quote")
    ],
]


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in ((EDITORS, EDITOR_PERMISSIONS), (PUBLISHERS, PUBLISHER_PERMISSIONS)):
        group, _ = Group.objects.get_or_create(name=name)
        codenames = {codename for _, codename in wanted}
        permissions = Permission.objects.filter(content_type__app_label="cases", codename__in=codenames)
        missing = codenames - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"Permissions missing for the {name} group: {sorted(missing)}")
        group.permissions.add(*permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=[EDITORS, PUBLISHERS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0004_history"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
