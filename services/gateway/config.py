"""Gateway settings, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass

from shared.auth.tokens import TokenKeys
from shared.config import CommonSettings, env_int


@dataclass(frozen=True)
class Settings:
    common: CommonSettings
    port: int
    keys: TokenKeys
    tiles: str  # "openstreetmap", "none", or a URL template

    @classmethod
    def from_env(cls) -> Settings:
        return cls(common=CommonSettings.from_env("gateway"),
                   keys=TokenKeys.from_env(),
                   port=env_int("SHOUHU_GATEWAY_PORT", 8100),
                   tiles=os.environ.get("SHOUHU_MAP_TILES", "openstreetmap"))
