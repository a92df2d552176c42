"""The phone map, rendered with folium from the read model."""

from __future__ import annotations

import folium

from services.gateway.domain.read_model import ChildHome, HazardShape

_WATER = "#1f78b4"
_ROAD = "#e31a1c"


def render_map(homes: list[ChildHome], hazards: list[HazardShape], tiles: str) -> str:
    """A standalone HTML page: hazards as GeoJSON, homes as small circles."""
    points = [(h.lat, h.lon) for h in homes]
    centre = points[0] if points else (29.5, 106.5)
    fmap = folium.Map(location=centre, zoom_start=14,
                      tiles=None if tiles == "none" else tiles, prefer_canvas=True)
    water = folium.FeatureGroup(name="hazards", show=True).add_to(fmap)
    for hz in hazards:
        colour = _ROAD if hz.kind.startswith("road") else _WATER
        folium.GeoJson(
            {"type": "Feature", "geometry": hz.geometry,
             "properties": {"kind": hz.kind, "name": hz.name, "hazard_id": hz.hazard_id}},
            style_function=lambda _f, c=colour: {"color": c, "fillOpacity": 0.3, "weight": 2},
            tooltip=folium.GeoJsonTooltip(fields=["kind", "name"]),
        ).add_to(water)
    home_layer = folium.FeatureGroup(name="homes", show=True).add_to(fmap)
    for h in homes:
        folium.CircleMarker(
            location=(h.lat, h.lon), radius=4, color="#ff7f00", fill=True,
            popup=f"{h.risk_grade} · {h.age_band}",
            **{"className": f"home home-{h.child_id}"},
        ).add_to(home_layer)
    folium.LayerControl().add_to(fmap)
    if points:
        fmap.fit_bounds([min(points), max(points)])
    return fmap.get_root().render()
