"""Deterministic demo data at township, county and province scale (issue 8).

``generate(scale, seed, out_dir)`` writes what a real station would hand to Shouhu:
the children ledger (XLSX, per township), hazards (GeoJSON and GeoPackage), and the
year's visits, cases, patrol check-ins and cameras as JSON for seeding.
"""

from infra.demogen.generate import SCALES, Scale, generate

__all__ = ["SCALES", "Scale", "generate"]
