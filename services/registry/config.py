"""Registry settings, read once from the environment."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, fields
from pathlib import Path

import yaml

from services.registry.domain.risk import RiskModel
from services.registry.domain.villages import VillageDirectory
from services.registry.service_layer.context import Policy
from shared import gazetteer
from shared.auth.tokens import TokenKeys
from shared.config import CommonSettings, ConfigError, env_int


@dataclass(frozen=True)
class Settings:
    common: CommonSettings
    port: int
    keys: TokenKeys
    policy: Policy
    scan_interval_s: int = 300

    @classmethod
    def from_env(cls) -> Settings:
        common = CommonSettings.from_env("registry")
        return cls(common=common, keys=TokenKeys.from_env(signing=False),
                   port=env_int("SHOUHU_REGISTRY_PORT", 8101),
                   policy=Policy(common.region, risk_model_from_env(), villages_from_env()),
                   scan_interval_s=env_int("SHOUHU_REGISTRY_SCAN_INTERVAL_S", 300))


def risk_model_from_env() -> RiskModel:
    """Defaults, overridden by a YAML file (SHOUHU_REGISTRY_RISK_MODEL) and the
    visit intervals SHOUHU_VISIT_DAYS_HIGH / _MEDIUM / _LOW."""
    model = RiskModel()
    overrides: dict = {}
    path = os.environ.get("SHOUHU_REGISTRY_RISK_MODEL")
    if path:
        overrides = yaml.safe_load(Path(path).read_text()) or {}
        known = {f.name for f in fields(RiskModel)}
        if set(overrides) - known:
            raise ConfigError(f"SHOUHU_REGISTRY_RISK_MODEL: unknown keys "
                              f"{sorted(set(overrides) - known)}")
        if "weights" in overrides:
            overrides["weights"] = {**model.weights, **overrides["weights"]}
        if "season_months" in overrides:
            overrides["season_months"] = tuple(overrides["season_months"])
    days = {**model.visit_days, **overrides.get("visit_days", {})}
    for grade in days:
        days[grade] = env_int(f"SHOUHU_VISIT_DAYS_{grade.upper()}", days[grade])
    overrides["visit_days"] = days
    return RiskModel(**{**{f.name: getattr(model, f.name) for f in fields(model)},
                        **overrides})


def villages_from_env() -> VillageDirectory:
    """The villages of the township SHOUHU_TOWNSHIP (9-digit NBS code, the demo's
    扶欢镇 by default) from the shipped NBS 2023 gazetteer, plus any a station lists
    in a CSV file with columns code,name (SHOUHU_REGISTRY_VILLAGES)."""
    code = os.environ.get("SHOUHU_TOWNSHIP", gazetteer.DEMO_TOWNSHIP).strip()
    try:
        name, official = gazetteer.township(code)
    except gazetteer.UnknownDivision as exc:
        raise ConfigError(f"SHOUHU_TOWNSHIP: {exc}") from exc
    directory = VillageDirectory.of(code, name, official)
    path = os.environ.get("SHOUHU_REGISTRY_VILLAGES")
    if not path:
        return directory
    with open(path, encoding="utf-8-sig", newline="") as fh:
        extra = {row["code"].strip(): row["name"].strip() for row in csv.DictReader(fh)}
    return directory.with_extra(extra)
