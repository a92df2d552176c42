"""Hazard kinds and how other vocabularies (OpenStreetMap tags, Chinese names) map to them.

The kinds and protections themselves are the event contract's
(``shared/events/vocabulary.py``); the hazards service reads them through this module.
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.events.vocabulary import (
    HAZARD_KINDS,
    PROTECTION_STATES,
    PROTECTIONS,
    ROAD_KINDS,
    TERRAIN_KINDS,
    WATER_KINDS,
)

__all__ = ["CHINESE", "HAZARD_KINDS", "PROTECTIONS", "PROTECTION_STATES", "ROAD_KINDS",
           "TERRAIN_KINDS", "WATER_KINDS", "normalise_kind", "osm_kind", "parse_other_tags"]

# Names used in township ledgers and phone GPS apps (seed 000 item 27: 河、塘、溪、沟、渠、坝).
CHINESE = {
    "河": "river", "河流": "river", "江": "river", "塘": "pond", "池塘": "pond", "山坪塘": "pond",
    "溪": "stream", "溪沟": "stream", "沟": "ditch", "水沟": "ditch", "渠": "canal",
    "水渠": "canal", "水库": "reservoir", "坝": "dam", "堰塘": "pond", "野泳点": "swimming_spot",
    "无护栏路段": "road_no_barrier", "路口": "road_crossing", "急弯": "road_sharp_bend",
    "儿童玩耍路段": "road_play_area", "悬崖": "cliff", "陡坡": "steep_slope",
}
_WATERWAY = {"river": "river", "stream": "stream", "brook": "stream", "ditch": "ditch",
             "drain": "ditch", "canal": "canal", "dam": "dam", "weir": "dam"}
_WATER = {"pond": "pond", "reservoir": "reservoir", "river": "river", "lake": "pond",
          "canal": "canal", "ditch": "ditch", "stream": "stream", "basin": "pond",
          "fishpond": "pond", "oxbow": "pond"}


def osm_kind(tags: Mapping[str, str]) -> str | None:
    """Our kind for an OpenStreetMap feature's tags, or None when it is not a hazard."""
    if tags.get("leisure") == "swimming_area" or tags.get("sport") == "swimming":
        return "swimming_spot"
    if tags.get("waterway") in _WATERWAY:
        return _WATERWAY[tags["waterway"]]
    if tags.get("landuse") == "reservoir":
        return "reservoir"
    if tags.get("natural") == "water" or tags.get("water"):
        return _WATER.get(tags.get("water", ""), "pond")
    if tags.get("natural") == "cliff":
        return "cliff"
    if tags.get("highway") == "crossing":
        return "road_crossing"
    return None  # a road is the gateway's road network, not a hazard (ADR 0405)


def normalise_kind(value: object) -> str | None:
    """Our kind for a ``kind`` attribute in English or Chinese; None when unknown."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.lower() in HAZARD_KINDS:
        return text.lower()
    return CHINESE.get(text)


def parse_other_tags(raw: object) -> dict[str, str]:
    """GDAL's OSM ``other_tags`` column (``"k"=>"v","k2"=>"v2"``) as a dict."""
    if not isinstance(raw, str) or not raw:
        return {}
    tags: dict[str, str] = {}
    for part in raw.split('","'):
        key, sep, value = part.strip('"').partition('"=>"')
        if sep:
            tags[key] = value
    return tags
