"""App configuration of the domain app."""
from django.apps import AppConfig


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = "Case library"

    def ready(self):
        from . import permalinks

        permalinks.connect()
