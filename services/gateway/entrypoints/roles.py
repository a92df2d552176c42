"""Who may call what, by role group (every view names one of these in @allow)."""

from shared.auth.principal import Role

PEOPLE = tuple(r for r in Role if r is not Role.SERVICE)
EXACT = (Role.STATION_ADMIN, Role.CHILD_SUPERVISOR, Role.CHILD_DIRECTOR)
CASE_READERS = (*EXACT, Role.POLICE_LIAISON)  # as the registry's GET /cases/<id>
PLANNERS = (Role.STATION_ADMIN, Role.CHILD_SUPERVISOR, Role.PLANNER)
ROAD_EDITORS = (Role.STATION_ADMIN, Role.CHILD_SUPERVISOR)  # the layer every plan follows
CHECKERS = (Role.PATROL_MEMBER, Role.STATION_ADMIN, Role.CHILD_SUPERVISOR, Role.CHILD_DIRECTOR)
