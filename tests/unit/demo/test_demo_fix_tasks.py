"""The demo's fix-task script: the most exposed gaps, one task per hazard, every state,
steps in order and the overdue one past its due date."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from infra.demogen.fix_tasks import STORY, fix_task_script

TODAY = date(2026, 7, 20)
ZONE = ZoneInfo("Asia/Shanghai")


def test_the_most_exposed_gaps_get_one_task_each_in_every_state():
    gaps = [{"hazard_id": f"h{k // 2}", "protection": p}
            for k, p in enumerate(["barrier", "warning_sign"] * 10)]  # two gaps a hazard
    script = fix_task_script(gaps, TODAY, ZONE)
    assert [t["hazard_id"] for t in script] == [f"h{k}" for k in range(len(STORY))]
    assert {t["shown"] for t in script} == {"assigned", "reported_fixed", "confirmed",
                                            "overdue"}
    for t in script:
        steps = [datetime.fromisoformat(t[k]) for k in ("assigned_at", "reported_at",
                                                        "confirmed_at") if t[k]]
        assert steps == sorted(steps) and all(s.date() <= TODAY for s in steps)
        assert steps[0].utcoffset() is not None
        late = date.fromisoformat(t["due_on"]) < TODAY
        assert late == (t["shown"] in ("overdue", "confirmed")), t
        assert (t["reported_at"] is not None) == (t["shown"] in ("reported_fixed",
                                                                 "confirmed"))


def test_fewer_gaps_than_the_story_give_fewer_tasks():
    assert len(fix_task_script([{"hazard_id": "h1", "protection": "barrier"}], TODAY,
                               ZONE)) == 1
    assert fix_task_script([], TODAY, ZONE) == []
