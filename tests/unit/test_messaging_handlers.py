"""The one handler-table form: ``bind`` runs each event in a unit built on the
consumer's connection, and the unit sees how the event ended."""

from __future__ import annotations

from types import TracebackType
from typing import Any

import pytest

from shared.events.envelope import CloudEvent
from shared.messaging.handlers import bind


class Unit:
    def __init__(self, conn: Any):
        self.conn = conn
        self.entered = False
        self.ended_with: type[BaseException] | None | str = "open"

    def __enter__(self) -> Unit:
        self.entered = True
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.ended_with = exc_type


def _event(event_type: str) -> CloudEvent:
    return CloudEvent(type=event_type, source="/test", subject="s-1", data={"n": 1})


@pytest.fixture
def units() -> list[Unit]:
    return []


def _make(units: list[Unit]):  # type: ignore[no-untyped-def]
    def unit(conn: Any) -> Unit:
        units.append(Unit(conn))
        return units[-1]

    return unit


def test_each_event_runs_in_a_new_unit_on_the_consumers_connection(units):
    seen: list[tuple[Unit, str]] = []
    table = {"a.done.v1": lambda u, e: seen.append((u, e.type)),
             "b.done.v1": lambda u, e: seen.append((u, e.type))}
    handlers = bind(table, _make(units))
    conn = object()
    handlers["b.done.v1"](conn, _event("b.done.v1"))  # type: ignore[arg-type]
    handlers["a.done.v1"](conn, _event("a.done.v1"))  # type: ignore[arg-type]
    assert set(handlers) == set(table)
    assert [(u.conn, u.entered, u.ended_with) for u in units] == [(conn, True, None)] * 2
    assert seen == [(units[0], "b.done.v1"), (units[1], "a.done.v1")]


def test_a_failing_handler_fails_the_consumer_and_its_unit_knows(units):
    def broken(_unit: Unit, _event: CloudEvent) -> None:
        raise ValueError("no")

    handlers = bind({"a.done.v1": broken}, _make(units))
    with pytest.raises(ValueError):
        handlers["a.done.v1"](object(), _event("a.done.v1"))  # type: ignore[arg-type]
    assert units[0].ended_with is ValueError
