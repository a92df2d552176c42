"""The domain's words that cross service boundaries, defined once.

The event schemas (``shared/events/<owner>.py``) validate against these tuples, and
every service that needs a word imports it from here instead of keeping its own list:
a new hazard kind or visit area then reaches the producer's schema, the consumers'
rules and the gateway's forms in one change. Plain tuples, no framework, so domain
packages may import them. Roles are the access policy's (``shared.auth.Role``,
``shared.access``).
"""

from __future__ import annotations

# -- hazards (owner: hazards) ----------------------------------------------------
WATER_KINDS = ("river", "pond", "stream", "ditch", "canal", "reservoir", "dam",
               "swimming_spot")  # the risk model's "distance to water" counts only these
ROAD_KINDS = ("road_no_barrier", "road_crossing", "road_sharp_bend", "road_play_area")
TERRAIN_KINDS = ("cliff", "steep_slope")
HAZARD_KINDS = (*WATER_KINDS, *ROAD_KINDS, *TERRAIN_KINDS)
PROTECTIONS = ("barrier", "warning_sign", "rescue_equipment")
PROTECTION_STATES = ("present", "damaged", "missing")
FINDING_KINDS = ("children_at_water", "barrier_damaged", "sign_missing",
                 "rescue_gear_missing", "rescue_gear_broken", "camera_alarm")  # on patrol
ACTIONS = ("reminded", "stopped", "moved_away", "none")  # what the patrol did about it

# -- children, visits and cases (owner: registry) --------------------------------
AGE_BANDS = ("0-2", "3-5", "6-11", "12-15", "16-17")
RISK_GRADES = ("high", "medium", "low")
FINDING_AREAS = ("guardianship", "living_conditions", "home_safety",
                 "mental_state")  # what a home visit writes findings about
CASE_STEPS = ("monitoring", "report", "emergency", "assessment", "assistance",
              "guardianship_intervention", "closed")
SITUATIONS = ("living_alone", "guardian_incapable", "parents_unreachable", "missing",
              "domestic_violence", "other_harm", "none")
UNITS = ("police", "school", "health", "womens_federation", "civil_affairs")  # referrals
