"""What the models share: created/updated timestamps and the links a public page may show."""

from django.core.validators import URLValidator
from django.db import models

WEB_URL = URLValidator(schemes=["http", "https"])  # what a public link may point to


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
