"""What a patrol point asks the member to check: its hazard's lacking protections
first (water only), then the people to watch for; named after its hazard."""

from services.gateway.read_model.domain.field_points import field_point, what_to_check
from services.gateway.read_model.domain.read_model import HazardShape, PatrolPoint

POND = HazardShape("hz-1", "pond", "李家塘", {"type": "Point", "coordinates": [106.6, 28.9]},
                   village_code="500110120201",
                   protections={"barrier": "present", "warning_sign": "damaged"})


def test_a_pond_asks_for_its_damaged_and_missing_protections_then_children():
    assert what_to_check(POND) == ("warning_sign_lacking", "rescue_equipment_lacking",
                                   "children_at_water")


def test_a_road_asks_for_children_on_the_road_only():
    road = HazardShape("hz-2", "road_crossing", "村口", POND.geometry)
    assert what_to_check(road) == ("children_on_road",)


def test_a_point_is_named_after_its_hazard_and_placed_in_its_village():
    point = PatrolPoint("pt-1", "hz-1", 106.6, 28.9, "swimming_spot", "", True)
    f = field_point(point, POND)
    assert (f.name, f.kind, f.village_code, f.reason) == ("李家塘", "pond", "500110120201",
                                                          "swimming_spot")
    gone = field_point(point, None)  # its hazard retired: still a water point to check
    assert gone.name == "" and gone.check == ("children_at_water",)
