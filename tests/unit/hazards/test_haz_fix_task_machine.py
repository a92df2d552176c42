"""The fix task (隐患整改) as a state machine: what may be made, reported, confirmed, and
when it is overdue (once per due date)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.hazards.domain.exceptions import FixTaskRefused
from services.hazards.domain.fix_tasks import new_task

AT = datetime(2026, 7, 1, 2, 0, tzinfo=UTC)
DUE = date(2026, 7, 10)


def task(state: str = "missing"):  # type: ignore[no-untyped-def]
    return new_task("hz-1", "500110120201", "barrier", state, DUE, "staff", AT, AT.date())


@pytest.mark.parametrize(("protection", "state", "due", "field"), [
    ("fence", "missing", DUE, "protection"),
    ("barrier", "present", DUE, "protection"),
    ("barrier", "missing", date(2026, 6, 30), "due_on"),
])
def test_a_task_only_for_a_real_gap_and_a_date_to_come(protection, state, due, field):
    with pytest.raises(FixTaskRefused) as refused:
        new_task("hz-1", "500110120201", protection, state, due, "staff", AT, AT.date())
    assert refused.value.field == field


def test_reported_with_a_photo_then_confirmed_or_sent_back():
    t = task()
    assert (t.status, t.assigned_to, t.problem) == ("assigned", "village_committee", "missing")
    with pytest.raises(FixTaskRefused, match="photo"):
        t.report_fixed("director", AT, "done", photo=False)
    with pytest.raises(FixTaskRefused, match="nothing to confirm"):
        t.confirm("patrol", AT, True, "")
    t.report_fixed("director", AT, "done", photo=True)
    with pytest.raises(FixTaskRefused, match="still wrong"):
        t.confirm("patrol", AT, False, "")
    t.confirm("patrol", AT, False, "缺一段")
    assert t.status == "assigned" and t.open
    t.report_fixed("director", AT, "补齐", photo=True)
    t.confirm("patrol", AT, True, "")
    assert t.status == "confirmed" and not t.open


def test_overdue_while_with_the_village_after_the_due_date_once():
    t = task()
    assert not t.overdue(DUE) and t.overdue(DUE + timedelta(days=1))
    t.overdue_notified_on = DUE
    assert not t.overdue(DUE + timedelta(days=5))
    reported = task()
    reported.report_fixed("director", AT, "", photo=True)
    assert not reported.overdue(DUE + timedelta(days=1))  # now the patrol's to check
