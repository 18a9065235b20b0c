"""Writing the gradebook through a database outage: retry briefly with backoff, then stop cleanly.

Why: with ``--db postgresql://…`` the gradebook lives on a server that restarts now and then
(an update, a fail-over, a network blip), while a class takes hours to grade. A write that fails
because the connection went away is retried with exponential backoff (0.25 s, 0.5 s, 1 s, … for
:data:`DEFAULT_SECONDS` in all, ``COURSE_DB_RETRY_SECONDS`` changes it); each attempt is the whole
student's transaction again, so a retry never leaves half a grade. After that the run stops with
:class:`GradebookUnavailable` (one line; every student already written is complete, the others
are not written at all), and a rerun of ``course grade`` grades only what is missing.

A unique-key clash (two TAs' runs creating the same student row at the same moment) is also
retried: the second attempt finds the row the other writer committed.
"""

from __future__ import annotations

import os
import time
from typing import Callable, TypeVar

T = TypeVar("T")

DEFAULT_SECONDS = 10.0
RETRY_ENV = "COURSE_DB_RETRY_SECONDS"
FIRST_DELAY = 0.25
MAX_DELAY = 4.0
MAX_CLASHES = 5


class GradebookUnavailable(ValueError):
    """The database did not come back in time; the message says what was kept and what to do.

    A ValueError, so that ``course grade`` prints it as its one-line error and exits 2.
    """


def retry_seconds() -> float:
    """How long a write keeps trying: ``COURSE_DB_RETRY_SECONDS`` or 10 s."""
    value = os.environ.get(RETRY_ENV, "").strip()
    try:
        return float(value) if value else DEFAULT_SECONDS
    except ValueError:
        raise ValueError(f"{RETRY_ENV}={value!r} is not a number of seconds.") from None


def is_transient(exc: BaseException) -> bool:
    """A lost or refused connection (worth waiting for), as SQLAlchemy reports it."""
    from sqlalchemy import exc as sa

    if isinstance(exc, sa.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, (sa.OperationalError, sa.InterfaceError))


def is_clash(exc: BaseException) -> bool:
    """Another writer committed the same new row first (a unique-key violation)."""
    from sqlalchemy import exc as sa

    return isinstance(exc, sa.IntegrityError)


def with_backoff(attempt: Callable[[], T], *, recover: Callable[[], None], what: str,
                 seconds: float | None = None, sleep: Callable[[float], None] = time.sleep) -> T:
    """``attempt()``, again after ``recover()`` and a growing pause while the database is away.

    ``attempt`` must be one whole transaction that rolls itself back when it fails.
    """
    budget = retry_seconds() if seconds is None else seconds
    deadline = time.monotonic() + budget
    delay, clashes = FIRST_DELAY, 0
    while True:
        try:
            return attempt()
        except Exception as exc:
            if is_clash(exc) and clashes < MAX_CLASHES:
                clashes += 1
            elif not is_transient(exc):
                raise
            elif time.monotonic() + delay > deadline:
                detail = " ".join(str(getattr(exc, "orig", exc)).split())[:160]
                raise GradebookUnavailable(
                    f"the gradebook database did not answer for {budget:g} s while writing {what} ({detail}); "
                    "every student written before is complete, nothing of this one was written: bring the "
                    "database back and run the same command again (it grades only what is missing).") from None
            sleep(delay)
            delay = min(delay * 2, MAX_DELAY)
            try:
                recover()
            except Exception:  # noqa: BLE001 - still down: the next attempt says so
                pass


def schema_lock(url: str):
    """A context manager holding a PostgreSQL advisory lock while a gradebook's tables are created.

    nbgrader creates its tables, its course row and its schema-version row when it opens a fresh
    database; two TAs starting at the same moment would both do it. SQLite (one file, one writer)
    needs no lock.
    """
    from contextlib import contextmanager, nullcontext

    from sqlalchemy import create_engine, text

    if not url.startswith("postgresql"):
        return nullcontext()

    @contextmanager
    def locked():
        engine = create_engine(url)
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT pg_advisory_lock(4711001)"))
                try:
                    yield
                finally:
                    connection.execute(text("SELECT pg_advisory_unlock(4711001)"))
        finally:
            engine.dispose()

    return locked()
