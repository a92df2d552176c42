"""Who may be a child's director: a valid background check today (ADR 0506)."""

from __future__ import annotations

from datetime import date

import pytest

from services.registry.domain.exceptions import InvalidChild
from services.registry.domain.staff_checks import StaffCheck, refusal, require_director

TODAY = date(2026, 7, 1)


@pytest.mark.parametrize(("check", "why"), [
    (None, "missing"),
    (StaffCheck("p", "clear", date(2026, 1, 5), date(2027, 1, 5)), ""),
    (StaffCheck("p", "clear", date(2026, 1, 5), TODAY), ""),  # its last day
    (StaffCheck("p", "clear", date(2025, 1, 5), date(2026, 6, 30)), "expired"),
    (StaffCheck("p", "clear", date(2026, 7, 2), date(2027, 7, 2)), "not_yet_valid"),
    (StaffCheck("p", "clear", date(2026, 1, 5), None), "missing"),
    (StaffCheck("p", "match", date(2026, 1, 5), date(2027, 1, 5), date(2026, 2, 16)),
     "match"),  # a match is never valid, whatever dates it came with
])
def test_refusal(check, why):
    assert refusal(check, TODAY) == why


def test_a_refused_director_is_named_by_the_field_and_the_person():
    with pytest.raises(InvalidChild) as refused:
        require_director("u-7", StaffCheck("u-7", "match", date(2026, 1, 5), None), TODAY)
    assert refused.value.field == "child_director_id"
    assert "u-7" in refused.value.message and "发现违法犯罪记录" in refused.value.message
    require_director("u-8", StaffCheck("u-8", "clear", TODAY, TODAY), TODAY)  # no error
