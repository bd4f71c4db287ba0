"""Publishers may import documents (the "Import documents" admin page needs add and change on
documents); the import creates sources and topics too."""

from django.db import migrations

PUBLISHERS = "Publishers"
CODENAMES = [f"{action}_{model}" for model in ("document", "source", "topic") for action in ("add", "change")]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=PUBLISHERS).first()
    if group is None:
        return
    group.permissions.add(*Permission.objects.filter(content_type__app_label="cases", codename__in=CODENAMES))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=PUBLISHERS).first()
    if group is not None:
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="cases", codename__in=CODENAMES))


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_case_browser_indexes")]

    operations = [migrations.RunPython(grant, revoke)]
