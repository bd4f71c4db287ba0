"""The code's fingerprint: a digest of the files that shape what the site serves.

The cache holds rendered HTML keyed by the library version (cases/library_version.py), which
changes with the data, not with the code: after a deploy that changes only a template, the old
HTML would be served until its entries expired. The cache's key prefix is this fingerprint
(kb/settings.py), so a deploy that changes a template, a Python module or a static file starts
from an empty cache, and every app server running the same code shares the same entries.
"""

import hashlib
from pathlib import Path

# Folders of the repository whose files shape responses; tests, docs and benchmarks do not.
SOURCE_FOLDERS = ("kb", "cases", "api", "templates", "static", "webroot")
SUFFIXES = {".py", ".html", ".txt", ".xml", ".css", ".js", ".svg", ".json", ".md"}


def code_fingerprint(base_dir, folders=SOURCE_FOLDERS, length=12):
    """A hex digest (`length` characters) of the path and content of every source file (SUFFIXES)
    under `folders` of `base_dir`. The same files give the same digest on every machine: paths are
    relative and sorted. A folder that does not exist counts as empty. Reads every file (about
    2 MB, a few milliseconds), once per process, when the settings load."""
    base = Path(base_dir)
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted((base / folder).rglob("*")):
            if path.suffix in SUFFIXES and path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(base).as_posix().encode())
                digest.update(b"\0")
                digest.update(path.read_bytes())
                digest.update(b"\0")
    return digest.hexdigest()[:length]
