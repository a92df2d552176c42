"""Hazards settings, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass

from services.hazards.domain.zones import BufferConfig
from shared.auth.tokens import TokenKeys
from shared.config import CommonSettings, ConfigError, env_float, env_int


def _device_keys(raw: str) -> dict[str, str]:
    """``SHOUHU_HAZARDS_DEVICE_KEYS="cam-001:secret1,cam-002:secret2"``."""
    keys = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        device_id, sep, secret = part.partition(":")
        if not sep or not secret:
            raise ConfigError("SHOUHU_HAZARDS_DEVICE_KEYS must be 'device:secret,…'")
        keys[device_id] = secret
    return keys


@dataclass(frozen=True)
class Settings:
    common: CommonSettings
    port: int
    keys: TokenKeys
    buffers: BufferConfig
    device_keys: dict[str, str]
    max_upload_bytes: int
    max_json_bytes: int
    photo_max_bytes: int
    checkin_max_distance_m: float
    silent_factor: float  # missed heartbeat intervals before a device counts as silent
    silent_scan_s: float
    device_max_skew_s: int
    cluster_m: float
    patrol_max_distance_m: float

    @classmethod
    def from_env(cls) -> Settings:
        try:
            buffers = BufferConfig.parse(os.environ.get("SHOUHU_HAZARDS_BUFFERS", ""))
        except ValueError as exc:
            raise ConfigError(f"SHOUHU_HAZARDS_BUFFERS: {exc}") from exc
        return cls(common=CommonSettings.from_env("hazards"),
                   keys=TokenKeys.from_env(signing=False),
                   port=env_int("SHOUHU_HAZARDS_PORT", 8102),
                   buffers=buffers,
                   device_keys=_device_keys(os.environ.get("SHOUHU_HAZARDS_DEVICE_KEYS", "")),
                   max_upload_bytes=env_int("SHOUHU_HAZARDS_MAX_UPLOAD_MB", 100) * 1024 * 1024,
                   max_json_bytes=env_int("SHOUHU_HAZARDS_MAX_JSON_KB", 2048) * 1024,
                   photo_max_bytes=env_int("SHOUHU_HAZARDS_PHOTO_MAX_KB", 2048) * 1024,
                   checkin_max_distance_m=env_float("SHOUHU_HAZARDS_CHECKIN_MAX_M", 150.0),
                   silent_factor=env_float("SHOUHU_HAZARDS_SILENT_FACTOR", 2.0),
                   silent_scan_s=env_float("SHOUHU_HAZARDS_SILENT_SCAN_S", 60.0),
                   device_max_skew_s=env_int("SHOUHU_HAZARDS_DEVICE_MAX_SKEW_S", 600),
                   cluster_m=env_float("SHOUHU_HAZARDS_CLUSTER_M", 150.0),
                   patrol_max_distance_m=env_float("SHOUHU_HAZARDS_PATROL_MAX_M", 1000.0))
