"""``shouhu demo fix-tasks FILE``: replay the demo's fix tasks through the hazards
service layer, each step at the time the script gives it.

The HTTP API stamps every step with the present (a due date in the past is refused), so
weeks of history — a fix confirmed last week, a task overdue since Monday — can only be
told by the service layer itself, run with the hazards service's own settings (as
``shouhu migrate`` is). A task already open for its hazard and protection, or whose
protection is now in place (confirmed on an earlier run), is skipped: replaying the same
script twice changes nothing."""

from __future__ import annotations

import json
import logging
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from PIL import Image

from services.hazards.bootstrap import Hazards, bootstrap
from services.hazards.domain.exceptions import DuplicateFixTask, FixTaskRefused
from services.hazards.service_layer import fix_tasks
from services.hazards.service_layer.handlers import Context
from shared import clock

log = logging.getLogger(__name__)


def _photo() -> bytes:
    """An invented photo of the fix: a plain green picture, no person, no place."""
    buf = BytesIO()
    Image.new("RGB", (64, 48), (60, 140, 70)).save(buf, "JPEG")
    return buf.getvalue()


def replay(hazards: Hazards, script: list[dict[str, Any]],
           users: dict[str, str]) -> dict[str, int]:
    """Apply the script; ``users`` names who acts: station, village, patrol (user ids).
    Returns how many tasks were made, then announces those past due as the worker would."""
    s = hazards.settings

    def ctx(who: str) -> Context:
        return Context(region=s.common.region, buffers=s.buffers, user_id=users[who])

    made = 0
    for t in script:
        try:
            task = fix_tasks.assign(hazards.uow(), fix_tasks.AssignFix(
                date.fromisoformat(t["due_on"]), t["hazard_id"], t["protection"],
                note=t["note"]), ctx("station"), datetime.fromisoformat(t["assigned_at"]))
        except (DuplicateFixTask, FixTaskRefused):
            continue
        made += 1
        if t["reported_at"]:
            fix_tasks.report_fixed(hazards.uow(), task.id, "已整改 done", _photo(),
                                   s.photo_max_bytes, ctx("village"),
                                   datetime.fromisoformat(t["reported_at"]))
        if t["confirmed_at"]:
            fix_tasks.confirm(hazards.uow(), task.id, True, "巡查确认 seen fixed",
                              ctx("patrol"), datetime.fromisoformat(t["confirmed_at"]))
    overdue = fix_tasks.scan_overdue(hazards.uow(), clock.township_today())
    return {"fix_tasks": made, "overdue": len(overdue)}


def cmd_fix_tasks(args: Any) -> None:
    body = json.loads(Path(args.file).read_text(encoding="utf-8"))
    print(json.dumps(replay(bootstrap(run_migrations=False), body["tasks"], body["users"])))
