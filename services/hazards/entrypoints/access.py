"""Who may do what in the hazards API, and the caller's scope as the handlers need it."""

from __future__ import annotations

from services.hazards.bootstrap import Hazards
from services.hazards.service_layer.handlers import Context
from shared.access import roles
from shared.auth.flask import current_principal
from shared.auth.principal import Principal, Role

# Role groups from the one access policy (shared/access.py).
READERS = roles("hazard", "read")  # hazards are public facts (Classification.PUBLIC)
EDITORS = roles("hazard", "write")
PATROLLERS = roles("patrol", "check_in")
DEVICE_ADMINS = roles("device", "manage")
FIX_READERS = roles("fix_task", "read")  # 隐患整改
FIX_ASSIGNERS = roles("fix_task", "assign")
FIX_REPORTERS = roles("fix_task", "report")  # the village says it is fixed
FIX_CONFIRMERS = roles("fix_task", "confirm")  # a patrol saw it


def in_scope(principal: Principal, village_code: str) -> bool:
    """A hazard without a village is township-wide: only callers not bound to villages."""
    if not village_code:
        return not principal.village_codes
    return principal.sees_village(village_code)


def context(hazards: Hazards) -> Context:
    principal = current_principal()
    return Context(region=hazards.settings.common.region, buffers=hazards.settings.buffers,
                   user_id=principal.user_id, in_scope=lambda v: in_scope(principal, v))


def may_act_as(principal: Principal):  # type: ignore[no-untyped-def]
    """Patrol members check in as themselves; staff may record for their team."""
    if principal.role is Role.PATROL_MEMBER:
        return lambda member_id: member_id == principal.user_id
    return lambda member_id: True
