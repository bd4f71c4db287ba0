"""The responses of the exports: streamed CSV and JSON, and the plain-text 400 of bad filters."""

from django.http import HttpResponse, StreamingHttpResponse


def csv_download(lines, *, filename):
    """`lines` (an iterable of CSV text) streamed as an attachment named `filename`."""
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def json_download(chunks):
    """`chunks` (an iterable of JSON text: browse.exports.json_chunks) streamed."""
    return StreamingHttpResponse(chunks, content_type="application/json; charset=utf-8")


def invalid_filter(lines):
    """The exports' 400: "Invalid filter." and one line per error, as plain text."""
    return HttpResponse(
        "Invalid filter.\n" + "\n".join(lines) + "\n", status=400, content_type="text/plain; charset=utf-8"
    )
