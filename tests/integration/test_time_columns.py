"""Time done once: every time column of every service is a ``UTCDateTime``, and an
instant sent with +08:00 comes back as the same instant, marked UTC, on both backends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from services.gateway.adapters.tables import metadata as gateway
from services.gateway.identity.adapters import users  # noqa: F401 - registers its tables
from services.hazards.adapters.tables import metadata as hazards
from services.notifier.adapters.tables import metadata as notifier
from services.registry.adapters.tables import metadata as registry
from shared.db import UTCDateTime, make_engine

BEIJING = timezone(timedelta(hours=8))


@pytest.mark.parametrize("metadata", [gateway, hazards, notifier, registry],
                         ids=["gateway", "hazards", "notifier", "registry"])
def test_every_time_column_is_an_instant(metadata: sa.MetaData) -> None:
    plain = [f"{t.name}.{c.name}" for t in metadata.tables.values() for c in t.columns
             if isinstance(c.type, sa.DateTime) and not isinstance(c.type, UTCDateTime)]
    assert plain == []
    assert any(isinstance(c.type, UTCDateTime)
               for t in metadata.tables.values() for c in t.columns)


def test_plus_eight_and_utc_are_one_instant(database_url: str) -> None:
    table = sa.Table("t", sa.MetaData(), sa.Column("at", UTCDateTime, unique=True))
    engine = make_engine(database_url)
    table.create(engine)
    local = datetime(2026, 7, 1, 23, 30, tzinfo=BEIJING)
    with engine.begin() as conn:
        conn.execute(table.insert(), {"at": local})
    with engine.connect() as conn:
        back = conn.execute(sa.select(table.c.at)).scalar_one()
        later = conn.execute(sa.select(table.c.at).where(
            table.c.at >= datetime(2026, 7, 1, 15, 30, tzinfo=UTC))).all()
    assert back == local and back.tzinfo is not None and back.utcoffset() == timedelta(0)
    assert len(later) == 1
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(table.insert(), {"at": datetime(2026, 7, 1, 15, 30, tzinfo=UTC)})
    engine.dispose()


def test_a_naive_time_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    table = sa.Table("t", sa.MetaData(), sa.Column("at", UTCDateTime))
    engine = make_engine(f"sqlite:///{tmp_path / 't.db'}")
    table.create(engine)
    with pytest.raises(sa.exc.StatementError, match="needs an offset"), engine.begin() as conn:
        conn.execute(table.insert(), {"at": datetime(2026, 7, 1, 23, 30)})
    engine.dispose()
