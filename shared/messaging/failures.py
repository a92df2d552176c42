"""Which database errors a worker waits out and which end it.

"Database away" (connection lost, SQLite busy or locked, disk I/O) passes: retry with
backoff. A missing table or column, or SQL the database refuses, is a programming or
deployment error that no retry fixes: looping on it would hide it, so workers stop
loudly and their supervisor (``shouhu up``, or the container runtime) restarts them
with backoff and logs why.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, OperationalError

# SQLite reports schema problems as OperationalError; PostgreSQL as ProgrammingError
_SCHEMA_PROBLEMS = ("no such table", "no such column", "has no column named")


def is_transient(exc: BaseException) -> bool:
    """True when ``exc`` means the database is (for now) unreachable or busy."""
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError):
        return False
    message = str(exc.orig).lower()
    return not any(problem in message for problem in _SCHEMA_PROBLEMS)
