"""Commands the registry accepts (imperative names)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(frozen=True)
class RegisterChild:
    name: str
    gender: str
    birth_date: date
    village_code: str
    home_lon: float | None  # None only from a ledger row without coordinates
    home_lat: float | None
    home_datum: str = "wgs84"
    categories: list[str] = field(default_factory=list)
    id_number: str | None = None
    village_name: str = ""
    address: str = ""
    school: str = ""
    phone: str | None = None
    guardians: list[dict[str, Any]] = field(default_factory=list)
    parents: dict[str, Any] = field(default_factory=dict)
    living_alone: bool = False
    child_director_id: str = ""
    on_duplicate: str = "refuse"  # or "merge": fold into the existing record


@dataclass(frozen=True)
class UpdateChild:
    child_id: str
    expected_version: int
    changes: dict[str, Any]


@dataclass(frozen=True)
class RecordVisit:
    child_id: str
    visited_at: datetime
    lon: float | None = None
    lat: float | None = None
    datum: str = "wgs84"
    findings: dict[str, str] = field(default_factory=dict)
    next_steps: str = ""


@dataclass(frozen=True)
class OpenCase:
    child_id: str
    situation: str
    severity: str | None = None
    step: str | None = None
    report: dict[str, str] = field(default_factory=dict)
    note: str = ""


@dataclass(frozen=True)
class TransitionCase:
    case_id: str
    to_step: str
    note: str = ""
    outcome: str = ""
    checklist_done: list[str] = field(default_factory=list)
    report: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RequestApproval:
    case_id: str
    to_step: str
    note: str = ""
    outcome: str = ""


@dataclass(frozen=True)
class DecideApproval:
    case_id: str
    approve: bool
    note: str = ""


@dataclass(frozen=True)
class ReferCase:
    case_id: str
    unit: str
    note: str = ""


@dataclass(frozen=True)
class RecordReferralFeedback:
    case_id: str
    referral_id: str
    feedback: str
