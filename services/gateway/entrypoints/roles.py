"""Who may call what, by role group (every view names one of these in @allow); the
groups are read from the one access policy, shared/access.py."""

from shared.access import PEOPLE, roles

__all__ = ["CASE_READERS", "CHECKERS", "EXACT", "PEOPLE", "PLANNERS"]
EXACT = roles("home", "read")  # exact homes and children's pages
CASE_READERS = roles("case", "read")  # as the registry's GET /cases/<id>
PLANNERS = roles("dashboard", "read")
CHECKERS = roles("patrol", "check_in")
