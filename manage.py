#!/usr/bin/env python
"""Django's command-line utility for the case library."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
    from django.core.management import execute_from_command_line
    from django.db import OperationalError, connection

    try:
        execute_from_command_line(sys.argv)
    except OperationalError as error:
        if connection.connection is not None:
            raise  # connected: an error of the command itself, with its traceback
        # Never connected: the database DATABASE_URL names is not there. One line, no traceback.
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        sys.exit(f"DATABASE_URL: cannot connect to the database ({reason}).")


if __name__ == "__main__":
    main()
