"""The code's fingerprint (kb/build.py): the cache's key prefix changes with the code only."""

import importlib
import re

from django.conf import settings
from django.core.cache import caches

from kb.build import code_fingerprint


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_the_same_files_give_the_same_fingerprint_wherever_they_lie(tmp_path):
    for root in (tmp_path / "one", tmp_path / "two"):
        write(root / "templates" / "page.html", "<p>{{ case.title }}</p>")
        write(root / "cases" / "views.py", "x = 1\n")
    assert code_fingerprint(tmp_path / "one") == code_fingerprint(tmp_path / "two")


def test_a_changed_template_module_or_stylesheet_changes_it(tmp_path):
    write(tmp_path / "templates" / "page.html", "<p>{{ case.title }}</p>")
    write(tmp_path / "cases" / "views.py", "x = 1\n")
    write(tmp_path / "static" / "site.css", "body {}")
    before = code_fingerprint(tmp_path)
    for path, text in (
        (tmp_path / "templates" / "page.html", "<h1>{{ case.title }}</h1>"),
        (tmp_path / "cases" / "views.py", "x = 2\n"),
        (tmp_path / "static" / "site.css", "body { margin: 0 }"),
    ):
        write(path, text)
        after = code_fingerprint(tmp_path)
        assert after != before
        before = after


def test_a_moved_file_changes_it_and_compiled_or_other_files_do_not(tmp_path):
    write(tmp_path / "cases" / "a.py", "x = 1\n")
    before = code_fingerprint(tmp_path)
    write(tmp_path / "cases" / "__pycache__" / "a.cpython-311.py", "compiled")
    write(tmp_path / "tests" / "test_a.py", "assert True\n")
    write(tmp_path / "cases" / "notes.bak", "draft")
    assert code_fingerprint(tmp_path) == before
    (tmp_path / "cases" / "a.py").rename(tmp_path / "cases" / "b.py")
    assert code_fingerprint(tmp_path) != before


def test_the_cache_keys_carry_a_fingerprint_of_the_code(monkeypatch):
    # Computed when the settings load (the files may change while the suite runs: not compared).
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    assert re.fullmatch("[0-9a-f]{12}", prefix)
    assert caches["default"].make_key("page").startswith(prefix + ":")
    assert settings.CACHES["default"]["OPTIONS"]["MAX_ENTRIES"] >= 1000
    monkeypatch.setenv("CACHE_MAX_ENTRIES", "50")
    monkeypatch.setattr("kb.build.code_fingerprint", lambda base_dir: "fingerprint1")
    reloaded = importlib.reload(importlib.import_module("kb.settings"))
    try:
        assert reloaded.CACHES["default"]["KEY_PREFIX"] == "fingerprint1"
        assert reloaded.CACHES["default"]["OPTIONS"]["MAX_ENTRIES"] == 50
    finally:
        monkeypatch.undo()
        importlib.reload(reloaded)
