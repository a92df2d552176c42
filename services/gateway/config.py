"""Gateway settings, read once from the environment."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from shared.auth.tokens import TokenKeys
from shared.config import CommonSettings, env_float, env_int


@dataclass(frozen=True)
class Settings:
    common: CommonSettings
    port: int
    keys: TokenKeys
    tiles: str  # "openstreetmap", "tianditu", "none", or a URL template
    tianditu_key: str
    hazards_url: str
    registry_url: str
    notifier_url: str  # the inbox pages read and acknowledge people's notifications here
    max_distance_m: float  # nearest hazards farther than this are not listed
    default_buffer_m: float  # exposure zone until the hazards service sends one
    cell_m: float  # side of the aggregated home cells patrol members see
    min_cell_count: int  # cells with fewer children are suppressed
    displacement_key: bytes  # keys the fixed per-child displacement
    refresh_ttl_s: int = 12 * 3600  # how long a sign-in lasts without a new password

    @classmethod
    def from_env(cls) -> Settings:
        keys = TokenKeys.from_env()
        # Derived from the signing keys unless set, so it is stable across restarts.
        raw_key = os.environ.get("SHOUHU_MAP_DISPLACEMENT_KEY") or \
            "displace:" + keys.keys[sorted(keys.keys)[0]]
        return cls(common=CommonSettings.from_env("gateway"),
                   keys=keys,
                   port=env_int("SHOUHU_GATEWAY_PORT", 8100),
                   tiles=os.environ.get("SHOUHU_MAP_TILES", "openstreetmap"),
                   tianditu_key=os.environ.get("SHOUHU_TIANDITU_KEY", ""),
                   hazards_url=os.environ.get("SHOUHU_HAZARDS_URL", "http://127.0.0.1:8102"),
                   registry_url=os.environ.get("SHOUHU_REGISTRY_URL", "http://127.0.0.1:8101"),
                   notifier_url=os.environ.get("SHOUHU_NOTIFIER_URL", "http://127.0.0.1:8103"),
                   max_distance_m=env_float("SHOUHU_OVERLAY_MAX_DISTANCE_M", 500.0),
                   default_buffer_m=env_float("SHOUHU_OVERLAY_DEFAULT_BUFFER_M", 100.0),
                   cell_m=env_float("SHOUHU_MAP_CELL_M", 250.0),
                   min_cell_count=env_int("SHOUHU_MAP_MIN_CELL_COUNT", 5),
                   displacement_key=hashlib.sha256(raw_key.encode()).digest(),
                   refresh_ttl_s=env_int("SHOUHU_REFRESH_TTL_S", 12 * 3600))
