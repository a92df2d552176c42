"""The input schemas every API shares: one page bound and one location check."""

import pytest
from marshmallow import ValidationError

from services.gateway.entrypoints.schemas import Location as PhoneLocation
from services.hazards.entrypoints.fix_task_schemas import FixTaskQuery
from services.notifier.entrypoints.schemas import DeliveryQuery
from services.registry.entrypoints.schemas import ChildListQuery, HomeIn
from shared.audit_api import AuditPageQuery
from shared.schemas import MAX_PAGE, LocationIn


@pytest.mark.parametrize("query, max_size", [(ChildListQuery, 50), (FixTaskQuery, 100),
                                             (DeliveryQuery, 100), (AuditPageQuery, 200)])
def test_every_list_is_paged_alike(query, max_size):
    loaded = query().load({})
    assert (loaded["page"], loaded["page_size"]) == (1, 50)
    assert query().load({"page": str(MAX_PAGE), "page_size": str(max_size)})["page"] == MAX_PAGE
    for bad in ({"page": str(MAX_PAGE + 1)}, {"page": "0"}, {"page_size": str(max_size + 1)}):
        with pytest.raises(ValidationError):
            query().load(bad)


def test_a_location_is_lon_lat_in_range_with_a_datum():
    assert LocationIn().load({"lon": 106.65, "lat": 28.95}) == {
        "lon": 106.65, "lat": 28.95, "datum": "wgs84"}
    for bad in ({"lon": 181, "lat": 0}, {"lon": 0, "lat": 91},
                {"lon": 0, "lat": 0, "datum": "bd09"}):
        with pytest.raises(ValidationError):
            LocationIn().load(bad)


def test_a_phone_may_send_more_a_registry_home_leaves_range_to_the_region_check():
    fix = PhoneLocation().load({"lon": 106.65, "lat": 28.95, "datum": "gcj02", "speed": 3})
    assert fix == {"lon": 106.65, "lat": 28.95, "datum": "gcj02"}
    swapped = HomeIn().load({"lon": 28.95, "lat": 106.65})  # the domain names the slip
    assert swapped["lat"] == 106.65
    with pytest.raises(ValidationError):
        HomeIn().load({"lon": 1, "lat": 2, "speed": 3})
