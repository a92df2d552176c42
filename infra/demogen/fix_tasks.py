"""The demo's fix tasks (隐患整改): a few weeks of the loop on the most exposed gaps.

Pure: from the dashboard's what-to-fix rows (most exposed first) and today's date, the
tasks with the day each step happened — assigned, reported fixed with a photo, confirmed
by the patrol — so the dashboard and the fix-task pages show every state, one overdue.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

# (state shown, days ago assigned, days from assigning to due, days ago reported,
#  days ago confirmed); None: that step has not happened
STORY: tuple[tuple[str, int, int, int | None, int | None], ...] = (
    ("confirmed", 25, 14, 15, 12),
    ("reported_fixed", 12, 14, 2, None),
    ("reported_fixed", 9, 14, 1, None),
    ("assigned", 3, 14, None, None),
    ("assigned", 1, 21, None, None),
    ("overdue", 20, 14, None, None),
)
NOTES = {"barrier": "加装护栏 put up a barrier", "warning_sign": "立警示牌 put up a sign",
         "rescue_equipment": "配救生圈、救生杆 rescue ring and pole"}


def fix_task_script(gaps: list[dict[str, Any]], today: date,
                    zone: ZoneInfo) -> list[dict[str, Any]]:
    """One task per story line on the most exposed gaps (one per hazard), each step an
    instant at 10:00 township time on its day; ``gaps`` are the dashboard's
    ``protections`` rows (hazard_id, protection), most exposed first."""
    seen: set[str] = set()
    chosen = []
    for gap in gaps:
        if gap["hazard_id"] not in seen:
            seen.add(gap["hazard_id"])
            chosen.append(gap)

    def at(days_ago: int | None) -> str | None:
        if days_ago is None:
            return None
        return datetime.combine(today - timedelta(days=days_ago), time(10), zone).isoformat()

    return [{"hazard_id": gap["hazard_id"], "protection": gap["protection"], "shown": shown,
             "note": NOTES.get(gap["protection"], ""), "assigned_at": at(assigned),
             "due_on": (today - timedelta(days=assigned - due_in)).isoformat(),
             "reported_at": at(reported), "confirmed_at": at(confirmed)}
            for gap, (shown, assigned, due_in, reported, confirmed) in zip(chosen, STORY,
                                                                           strict=False)]
