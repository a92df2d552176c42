"""Who may call what, by role group (every view names one of these in @allow); the
groups are read from the one access policy, shared/access.py."""

from shared.access import PEOPLE, roles

__all__ = ["APPROVERS", "CASE_READERS", "CHECKERS", "CHILD_WRITERS", "EXACT", "FIX_ASSIGNERS",
           "FIX_CONFIRMERS", "FIX_READERS", "FIX_REPORTERS", "PEOPLE", "PLANNERS"]
EXACT = roles("home", "read")  # exact homes and children's pages
CHILD_WRITERS = roles("child", "write")  # as the registry's PATCH /children/<id>
CASE_READERS = roles("case", "read")  # as the registry's GET /cases/<id>
PLANNERS = roles("dashboard", "read")
CHECKERS = roles("patrol", "check_in")
APPROVERS = roles("case", "approve")  # as the registry's case approvals
FIX_READERS = roles("fix_task", "read")  # 隐患整改, as the hazards service's
FIX_ASSIGNERS = roles("fix_task", "assign")
FIX_REPORTERS = roles("fix_task", "report")
FIX_CONFIRMERS = roles("fix_task", "confirm")
