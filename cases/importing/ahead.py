"""An import's files read in order, the next ones parsed in a worker process while the current one is stored."""

from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TYPE_CHECKING

from .parser import DocumentError, ParsedDocument, parse_document

if TYPE_CHECKING:  # not at run time: the worker imports this module, and no Django
    from .inputs import Input

logger = logging.getLogger(__name__)

# Runs of fewer files parse in-process: a worker (a fresh interpreter importing the parser) costs
# about 0.15 s of CPU to start, the parse of a few files less than that.
MIN_FILES = 20
# Files read and handed to the worker ahead of the one being stored: enough to keep it busy while the
# main process stores, few enough that memory stays flat (a text and its parse each, tens of kB).
DEPTH = 8

# The worker's niceness: it runs on a core the import leaves idle (the main process, PostgreSQL's
# backend) and the main process parses a file itself when the worker has not begun it.
WORKER_NICENESS = 10

# read(item): (text, digest) of an input, or an exception. wanted(item, text, digest): the
# minutes_seconds a file will be parsed with, None if it will not be parsed.
Read = Callable[["Input"], tuple[str, str]]
Wanted = Callable[["Input", str, str], "bool | None"]


class ParseAhead:
    """The inputs of a run, read one by one in their order by ``read`` (:meth:`read`), and those
    that will be parsed parsed ahead in one worker process (:meth:`parsed`), at most DEPTH files ahead.

    ``wanted(item, text, digest)`` guesses, when a file is read ahead, whether its turn will parse it
    and as what (``minutes_seconds``), or None when it will not be parsed (an unchanged file, a
    channel index): the worker parses only those, and a guess proven wrong at the file's turn parses
    it in-process. The worker is started by the first file it gets, with ``spawn`` (it inherits no
    database connection, and this module imports no Django, so that it runs nothing but
    :func:`parse_document`); runs of fewer than MIN_FILES
    inputs read nothing ahead and start none. A worker that dies only makes the files left parse
    in-process. Use as a context manager: leaving it stops the worker.
    """

    def __init__(self, inputs: list[Input], *, read: Read, wanted: Wanted):
        self._inputs = iter(inputs)
        self._decode = read
        self._wanted = wanted
        self._depth = DEPTH if len(inputs) >= MIN_FILES else 0
        # (item, (text, digest) or the exception decode() raised, the worker's future or None, its guess)
        self._window: deque[tuple[Input, object, Future | None, bool | None]] = deque()
        self._current: tuple[Future | None, bool | None] = (None, None)
        self._pool: ProcessPoolExecutor | None = None
        self._broken = False

    def __enter__(self) -> ParseAhead:
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if self._pool is not None:
            # On an error (Ctrl-C included) the worker is not waited for: it ignores SIGINT and ends
            # once it has finished the file in hand.
            self._pool.shutdown(wait=exc_type is None, cancel_futures=True)
            self._pool = None

    def read(self, item: Input) -> tuple[str, str]:
        """(text, sha256 hex digest) of `item`, the run's next input, or the FileError decode() raises."""
        self._cancel(self._current[0])
        self._current = (None, None)
        while len(self._window) < 1 + self._depth:
            following = next(self._inputs, None)
            if following is None:
                break
            self._window.append(self._read_ahead(following))
        if not self._window or self._window[0][0] is not item:
            raise ValueError(f"{item.name} is not the run's next input")
        _, decoded, future, guess = self._window.popleft()
        if isinstance(decoded, Exception):
            raise decoded
        self._current = (future, guess)
        return decoded

    def parsed(self, *, minutes_seconds: bool) -> ParsedDocument | None:
        """The file last read, as the worker parsed it with `minutes_seconds`, or None when it is to
        be parsed here (no worker, another guess, the worker not at it yet, or gone); raises the
        DocumentError the parse raised."""
        future, guess = self._current
        self._current = (None, None)
        if future is None or guess != minutes_seconds or future.cancel():
            self._cancel(future)  # not started: the main process parses it now rather than wait
            return None
        try:
            return future.result()
        except DocumentError:
            raise
        except Exception as error:  # the worker died (BrokenProcessPool), or a bug: parsed here, as without one
            self._give_up(error)
            return None

    def _read_ahead(self, item: Input) -> tuple[Input, object, Future | None, bool | None]:
        try:
            text, digest = decoded = self._decode(item)
        except Exception as error:  # raised at the file's turn, as reading it then would
            return item, error, None, None
        guess = self._wanted(item, text, digest) if self._depth else None
        future = None
        if guess is not None and not self._broken:
            try:
                future = self._worker().submit(parse_document, text, minutes_seconds=guess)
            except Exception as error:  # could not start, or already broken
                self._give_up(error)
        return item, decoded, future, guess

    def _worker(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
            )
        return self._pool

    def _give_up(self, error: Exception) -> None:
        if not self._broken:
            logger.warning("parsing ahead stopped, the files left are parsed in-process: %r", error)
        self._broken = True

    @staticmethod
    def _cancel(future: Future | None) -> None:
        if future is not None:
            future.cancel()


def _start_worker() -> None:
    # Ctrl-C reaches the whole process group: the main process alone stops the run.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.nice(WORKER_NICENESS)
    # A main process ended by SIGTERM or SIGKILL (timeout, systemd, docker stop) runs no clean-up,
    # and the worker holds both ends of its job pipe, so it would wait for work forever (found by
    # QA): it leaves as soon as its parent's sentinel says the parent is gone.
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_leave_with, args=(parent.sentinel,), daemon=True).start()


def _leave_with(sentinel: int) -> None:
    """Wait until the parent process ends (its sentinel becomes readable), then end this process."""
    multiprocessing.connection.wait([sentinel])
    os._exit(0)
