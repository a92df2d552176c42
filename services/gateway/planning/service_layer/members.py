"""Who may patrol: a plan's members as the identity store knows them.

Planning reads identity (never the other way round): a member must be a user of the
township with a background check valid for the whole plan (ADR 0506)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection

from services.gateway.domain.exceptions import InvalidPlan
from services.gateway.identity.adapters.users import UserStore
from services.gateway.identity.domain import identity as domain
from services.gateway.planning.domain.planner import Member


def team_members(conn: Connection, township_code: str, member_ids: list[str],
                 starts_on: date, ends_on: date) -> dict[str, Member]:
    """Patrol members as the identity store knows them; refuses (InvalidPlan) anyone
    without a valid check for the whole plan or not a user of the township, naming each."""
    store, members, refused = UserStore(conn), {}, []
    for member_id in dict.fromkeys(member_ids):
        user = store.get(member_id)
        if user is None or (township_code and user.township_code != township_code):
            refused.append(f"{member_id}: {domain.REASONS_ZH['unknown_user']} (unknown user)")
            continue
        status = next((s for s in (domain.contact_check(user, starts_on),
                                   domain.contact_check(user, ends_on)) if not s), None)
        if status is not None:
            refused.append(f"{user.username}: {domain.REASONS_ZH[status.reason]} "
                           f"(background check {status.reason})")
            continue
        latest = max(user.checks, key=lambda c: c.checked_on)
        members[member_id] = Member(member_id, latest.checked_on, latest.result,
                                    latest.valid_until)
    if refused:
        raise InvalidPlan("members", "不能编入巡查队 may not patrol: " + "; ".join(refused))
    return members
