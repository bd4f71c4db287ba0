"""The WSGI application freezes the objects alive after a worker's first request (kb/wsgi.py)."""

import json

from tests.processes import child_env
from tests.test_settings import python_in_a_fresh_process

CHILD = """
import gc, json
from wsgiref.util import setup_testing_defaults
import kb.wsgi
from django.core.signals import request_finished

def request(path):
    environ = {"PATH_INFO": path, "HTTP_HOST": "testserver"}
    setup_testing_defaults(environ)
    statuses = []
    response = kb.wsgi.application(environ, lambda status, headers, exc_info=None: statuses.append(status))
    b"".join(response)
    response.close()  # what the server does; Django sends request_finished then
    return statuses[0]

before = gc.get_freeze_count()
first = request("/healthz")
after_first = gc.get_freeze_count()
request("/healthz")
print(json.dumps({"before": before, "first": first, "after_first": after_first,
                  "after_second": gc.get_freeze_count(),
                  "still_connected": kb.wsgi.freeze_long_lived_objects in [r[1]() for r in request_finished.receivers if callable(r[1])]}))
"""


def test_a_workers_first_request_freezes_what_is_alive_then_and_only_once():
    result = python_in_a_fresh_process(CHILD, child_env("sqlite:///:memory:"))
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["first"].startswith("200")
    assert seen["before"] == 0
    assert seen["after_first"] > 50_000  # the app's modules, models, resolver, templates
    # Once: the receiver is gone, and what later requests make stays collectable.
    assert not seen["still_connected"]
    assert abs(seen["after_second"] - seen["after_first"]) < 100
