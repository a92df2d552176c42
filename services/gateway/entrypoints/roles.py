"""Who may call what, by role group (every view names one of these in @allow)."""

from shared.auth.principal import Role

PEOPLE = tuple(r for r in Role if r is not Role.SERVICE)
EXACT = (Role.STATION_ADMIN, Role.CHILD_SUPERVISOR, Role.CHILD_DIRECTOR)
CASE_READERS = (*EXACT, Role.POLICE_LIAISON)  # as the registry's GET /cases/<id>
APPROVERS = (Role.STATION_ADMIN, Role.CHILD_SUPERVISOR)  # as the registry's case approvals
PLANNERS = (Role.STATION_ADMIN, Role.CHILD_SUPERVISOR, Role.PLANNER)
# Planners read plans and the dashboard but change nothing (docs/security.md).
PLAN_MAKERS = (Role.STATION_ADMIN, Role.CHILD_SUPERVISOR)
CHECKERS = (Role.PATROL_MEMBER, Role.STATION_ADMIN, Role.CHILD_SUPERVISOR, Role.CHILD_DIRECTOR)
