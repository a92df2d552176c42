"""Children's validation: ID numbers, left-behind (rule 1), living alone, age bands."""

from datetime import date

import pytest

from services.registry.domain.exceptions import InvalidChild
from services.registry.domain.identity import (
    check_character,
    validate_id_number,
)
from services.registry.domain.model import Child, Guardian, Parents, age_band, check_child

TODAY = date(2026, 11, 25)


def id_number(born: date, female: bool = True, region: str = "500110") -> str:
    seq = "002" if female else "001"
    first = f"{region}{born:%Y%m%d}{seq}"
    return first + check_character(first)


def child(**over) -> Child:
    base = dict(name="测试", gender="female", birth_date=date(2016, 5, 1),
                village_code="500110120201", home_lon=106.65, home_lat=28.95)
    base.update(over)
    return Child(**base)


def test_check_character_of_the_standard_example():
    assert check_character("11010519491231002") == "X"


def test_valid_id_number_is_accepted_and_normalised():
    number = id_number(date(2016, 5, 1))
    assert validate_id_number(number, date(2016, 5, 1), "female") is None
    checked = check_child(child(id_number=number.lower()), TODAY)
    assert checked.id_number == number.upper()


@pytest.mark.parametrize(("mutate", "reason"), [
    (lambda n: n[:17] + ("0" if n[17] != "0" else "1"), "check digit"),
    (lambda n: n[:10], "17 digits"),
    (lambda n: "50011020161301" + n[14:17] + check_character("50011020161301" + n[14:17]),
     "impossible"),
])
def test_bad_id_numbers_say_why(mutate, reason):
    assert reason in validate_id_number(mutate(id_number(date(2016, 5, 1))),
                                        date(2016, 5, 1), "female")


def test_id_number_must_agree_with_birth_date_and_gender():
    number = id_number(date(2016, 5, 1), female=False)
    assert "born" in validate_id_number(number, date(2016, 5, 2), "male")
    assert "male" in validate_id_number(number, date(2016, 5, 1), "female")
    with pytest.raises(InvalidChild) as err:
        check_child(child(id_number=number), TODAY)
    assert err.value.field == "id_number"


@pytest.mark.parametrize(("born", "band"), [
    (date(2025, 1, 1), "0-2"), (date(2022, 11, 25), "3-5"), (date(2020, 11, 26), "3-5"),
    (date(2014, 1, 1), "12-15"), (date(2010, 1, 1), "16-17")])
def test_age_bands(born, band):
    assert age_band(born, TODAY) == band


def test_future_birth_and_adults_are_refused():
    with pytest.raises(InvalidChild, match="future"):
        check_child(child(birth_date=date(2027, 1, 1)), TODAY)
    with pytest.raises(InvalidChild, match="under 18"):
        check_child(child(birth_date=date(2008, 1, 1)), TODAY)


@pytest.mark.parametrize(("father", "mother", "left_behind"), [
    ("away", "away", True), ("away", "incapable", True), ("deceased", "away", True),
    ("away", "home", False), ("home", "home", False), ("unknown", "unknown", False)])
def test_left_behind_follows_rule_1(father, mother, left_behind):
    checked = check_child(child(parents=Parents(father, mother)), TODAY)
    assert ("left_behind" in checked.categories) is left_behind


def test_left_behind_claim_contradicting_the_parents_is_refused():
    with pytest.raises(InvalidChild, match="rule 1"):
        check_child(child(categories=["left_behind"], parents=Parents("away", "home")), TODAY)


def test_left_behind_is_for_children_under_16():
    with pytest.raises(InvalidChild, match="under 16"):
        check_child(child(birth_date=date(2010, 1, 1), categories=["left_behind"]), TODAY)
    older = check_child(child(birth_date=date(2010, 1, 1), parents=Parents("away", "away")),
                        TODAY)
    assert "left_behind" not in older.categories


def test_unknown_category_is_refused():
    with pytest.raises(InvalidChild) as err:
        check_child(child(categories=["rich"]), TODAY)
    assert err.value.field == "categories"


def test_living_alone_when_no_guardian_is_present():
    away = Guardian("某", "祖母", 70, present=False)
    assert child(guardians=[away]).living_alone(TODAY)
    assert not child(guardians=[away, Guardian("某某", "祖父")]).living_alone(TODAY)
    assert not child().living_alone(TODAY)  # nothing recorded is not "alone"
    assert child(declared_living_alone=True).living_alone(TODAY)
    assert not child(declared_living_alone=True,
                     birth_date=date(2010, 1, 1)).living_alone(TODAY)


def test_entrusted_caregiver_is_the_caregiver():
    kid = child(guardians=[Guardian("甲", "祖父"), Guardian("乙", "姑姑", entrusted=True)])
    assert kid.caregiver().name == "乙"
