"""The one form of a service's event-handler table, and how the consumer gets it.

Every service writes what it does with an incoming event the same way: a module-level
``HANDLERS`` dict in its service layer, event type → ``fn(unit, event)``. The consumer
only knows connections (it opens the transaction that also records the event id in
the inbox), so ``bind`` turns the table into the consumer's ``{type: Handler}``, building
the service's unit on that connection for each event. The table stays the service's
diagram of what it reacts to; how the unit is built is the bootstrap's business.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from typing import TypeVar

from sqlalchemy import Connection

from shared.events.envelope import CloudEvent

Handler = Callable[[Connection, CloudEvent], None]
"""What the consumer calls, inside its transaction."""

U = TypeVar("U")
EventHandler = Callable[[U, CloudEvent], None]
"""What a service's table holds: a function of the service's unit and the event."""


def bind(table: Mapping[str, EventHandler[U]],
         unit: Callable[[Connection], AbstractContextManager[U]]) -> dict[str, Handler]:
    """The consumer's handlers for ``table``: each event runs inside ``with unit(conn)``.

    ``unit`` joins the consumer's transaction (``SqlUnitOfWork.on_connection``, whose
    ``with`` leaves the commit to the consumer); a unit may also act around each event,
    as the gateway's read-model unit does (it counts the change and forgets its
    in-memory overlay when the event fails).
    """

    def handler(fn: EventHandler[U]) -> Handler:
        def handle(conn: Connection, event: CloudEvent) -> None:
            with unit(conn) as u:
                fn(u, event)

        return handle

    return {event_type: handler(fn) for event_type, fn in table.items()}
