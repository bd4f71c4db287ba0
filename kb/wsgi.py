"""WSGI entry point (gunicorn kb.wsgi)."""

import gc
import os

from django.core.signals import request_finished
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
application = get_wsgi_application()


def freeze_long_lived_objects(**kwargs):
    """After a worker's first request, move every object then alive (modules, models, the URL
    resolver, compiled templates: about 110,000 here) out of the garbage collector's generations,
    once (gc.freeze, the standard library's). A full collection then walks only what requests made
    since: about 40 ms every few dozen exports of a country's cases before, and a third of the
    collector's time per request (docs/performance.md). Garbage is collected first, so none is
    kept for good; objects frozen and later dropped are still freed by reference counting."""
    request_finished.disconnect(freeze_long_lived_objects)
    gc.collect()
    gc.freeze()


request_finished.connect(freeze_long_lived_objects)
