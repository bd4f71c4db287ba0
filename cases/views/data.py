"""The whole-library downloads: the /data/ page and its files (built by `manage.py export_library`).

The files are static: written by the command into OPEN_DATA_DIR and streamed from there as they
are (a front proxy may serve /data/files/ from that folder directly, docs/deploy.md). Only the
names the exporter writes are served; anything else is a 404.
"""

from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import condition

from ..opendata import FILES, LICENCE, citation, read_manifest


def data_page(request):
    """/data/: each download with its size and build time, the tables' row counts, licence and citation."""
    manifest = read_manifest()
    context = {"manifest": manifest, "licence": LICENCE}
    if manifest:
        built_at = datetime.fromisoformat(manifest["built_at"])
        context.update(
            built_at=built_at,
            citation=citation(built_at, request.build_absolute_uri(reverse("cases:data"))),
            files=[{"name": name, **manifest["files"][name]} for name in FILES if name in manifest["files"]],
            tables=sorted(manifest["tables"].items()),
        )
    return render(request, "cases/data.html", context)


def _path(name):
    if name not in FILES:
        raise Http404("No such download.")
    path = Path(settings.OPEN_DATA_DIR) / name
    if not path.is_file():
        raise Http404("This download has not been built yet.")
    return path


def _modified(request, name):
    try:
        return datetime.fromtimestamp(_path(name).stat().st_mtime).astimezone()
    except Http404:
        return None


@condition(last_modified_func=_modified)
def data_file(request, name):
    """One of the downloads, streamed from OPEN_DATA_DIR as an attachment (Last-Modified, 304)."""
    return FileResponse(_path(name).open("rb"), as_attachment=True, filename=name)
