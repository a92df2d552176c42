"""Notifier settings, read once from the environment."""

from __future__ import annotations

from dataclasses import dataclass

from shared.auth.tokens import TokenKeys
from shared.config import CommonSettings, env_int


@dataclass(frozen=True)
class Settings:
    common: CommonSettings
    port: int
    keys: TokenKeys

    @classmethod
    def from_env(cls) -> Settings:
        return cls(common=CommonSettings.from_env("notifier"),
                   keys=TokenKeys.from_env(),
                   port=env_int("SHOUHU_NOTIFIER_PORT", 8103))
