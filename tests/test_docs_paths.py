"""The docs name modules that exist: a refactor that moves a module moves its mentions too.

Checks every path such as `cases/browse/facets.py` and every dotted module such as
`cases.curation.workflow` written in backticks in docs/*.md (found by the qa crawl after the
refactor: docs/curation.md still named cases/workflow.py, docs/opendata.md cases/filters.py).
"""

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PATH = re.compile(r"`((?:cases|kb|api|tests|bench)/[\w/]+\.py)\b")
DOTTED = re.compile(r"`((?:cases|kb|api)(?:\.\w+)+)")
NOT_MODULES = {
    "cases.publish_case",  # a permission (app label and codename), not a module
    "bench/datasette.py",  # performance.md's "Not done": a file not written yet
}


def module_exists(dotted):
    """`cases.curation.workflow` or `cases.curation.workflow.transition_in_bulk`: some prefix of
    two parts or more is a module (the rest may be names in it)."""
    parts = dotted.split(".")
    for end in range(2, len(parts) + 1):
        try:
            if importlib.util.find_spec(".".join(parts[:end])) is None:
                return False
        except ModuleNotFoundError:  # a name inside a module, not a submodule
            return True
        if not hasattr(importlib.import_module(".".join(parts[:end])), "__path__"):
            return True  # a module (not a package): what follows are names in it
    return True


def test_docs_name_existing_modules():
    missing = []
    for doc in sorted((ROOT / "docs").glob("*.md")) + [ROOT / "README.md"]:
        text = doc.read_text(encoding="utf-8")
        missing += [
            f"{doc.name}: {path}"
            for path in PATH.findall(text)
            if not (ROOT / path).exists() and path not in NOT_MODULES
        ]
        missing += [
            f"{doc.name}: {name}"
            for name in DOTTED.findall(text)
            if name not in NOT_MODULES and not module_exists(name)
        ]
    assert missing == []
