"""Infrastructure tables of the project (not the library's data)."""

from django.db import models


class RateCount(models.Model):
    """Requests of one client address in one rate-limit window (cases/views/limits.py).

    One row per (group, rate, address), counted up by a single INSERT … ON CONFLICT DO UPDATE
    statement, so a request costs one round trip and two app servers never lose a count. On
    PostgreSQL the table is UNLOGGED: a counter lost in a crash only lets an address start its
    window again, and a write to it commits without waiting for the write-ahead log."""

    key = models.CharField(max_length=200, primary_key=True)
    window_end = models.BigIntegerField(db_index=True)  # Unix seconds at which the window closes
    count = models.PositiveIntegerField()

    class Meta:
        db_table = "kb_rate_count"

    def __str__(self):
        return f"{self.key}: {self.count} until {self.window_end}"
