"""The one access policy (shared/access.py): its groups, its shaping, and the role
tables of docs/security.md generated from it."""

from pathlib import Path

import pytest

from shared.access import (
    CASE_FIELDS,
    CHILD_FIELDS,
    POLICY,
    roles,
    shape,
    visible_fields,
)
from shared.access_doc import render, rewrite
from shared.auth.principal import Role

ROOT = Path(__file__).resolve().parents[3]
CHILD = {f: f"value of {f}" for f in CHILD_FIELDS} | {
    "id_number": "500110201605010023", "phone": "13912345678",
    "guardians": [{"name": "监护人", "phone": "13800001111"}]}


def test_security_md_tables_are_generated_from_the_policy():
    page = (ROOT / "docs/security.md").read_text(encoding="utf-8")
    assert render() in page, ("docs/security.md's role tables are stale: run "
                              "`.venv/bin/python -m shared.access_doc docs/security.md`")
    assert rewrite(page) == page


def test_every_field_granted_exists_on_its_resource():
    known = {"child": set(CHILD_FIELDS), "case": set(CASE_FIELDS)}
    for resource, grants in POLICY.items():
        for role, g in grants.items():
            assert set(g.fields) <= known.get(resource, set()), (resource, role)
            assert set(g.masked) <= set(g.fields), (resource, role)


@pytest.mark.parametrize("role", [Role.PLANNER, Role.PATROL_MEMBER, Role.SERVICE])
def test_roles_that_never_meet_a_child_receive_none(role):
    assert shape(role, "child", CHILD) == {} and shape(role, "case", {"id": "x"}) == {}
    assert role not in roles("child", "read") and role not in roles("home", "read")


def test_a_school_gets_only_its_fields_and_those_masked():
    seen = shape(Role.SCHOOL_LIAISON, "child", CHILD)
    assert set(seen) == set(visible_fields(Role.SCHOOL_LIAISON, "child"))
    assert "birth_date" not in seen and "home" not in seen
    assert seen["id_number"] == "500110************" and seen["phone"] == "139****5678"
    assert seen["guardians"] == [{"name": "监护人", "phone": "138****1111"}]
    assert shape(Role.CHILD_DIRECTOR, "child", CHILD) == CHILD


def test_a_typo_in_a_group_is_an_error_not_an_empty_group():
    with pytest.raises(KeyError):
        roles("child", "raed")
