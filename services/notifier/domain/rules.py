"""Routing rules: which event, under which conditions, notifies whom, how, and how
urgently. Rules are data (YAML in the repository); ``parse_rules`` validates a loaded
document and reports the path of the first problem so the loader can name its line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from services.notifier.domain.directory import CHANNELS, LEVELS, ROLES
from services.notifier.domain.exceptions import RulesError

Path = tuple[str | int, ...]
_DURATION = re.compile(r"^(\d+)\s*([smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RULE_KEYS = {"name", "event", "when", "hours", "notify", "channels", "urgent", "ack_within",
              "escalate", "template"}


@dataclass(frozen=True)
class Target:
    role: str
    level: str


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter: attempt n waits base·2^(n-1), capped, times a
    random factor in [0.5, 1) so many failed sends do not retry in lockstep."""

    max_attempts: int = 5
    base_s: float = 2.0
    cap_s: float = 300.0

    def delay_s(self, attempt: int, rand: float) -> float:
        return min(self.cap_s, self.base_s * 2 ** max(attempt - 1, 0)) * (0.5 + rand / 2)


@dataclass(frozen=True)
class Rule:
    name: str
    event_type: str
    notify: tuple[Target, ...]
    channels: tuple[str, ...]
    when: Mapping[str, frozenset[str]] = field(default_factory=dict)
    hours: tuple[time, time] | None = None
    urgent: bool | None = None  # None: urgent when the event's severity is "urgent"
    ack_within_s: int | None = None
    escalate: tuple[Target, ...] = ()
    template: str = ""

    def matches(self, event_type: str, data: Mapping[str, Any], local: datetime) -> bool:
        if event_type != self.event_type:
            return False
        for key, allowed in self.when.items():
            value = _norm(data.get(key))
            if key == "village_code":
                if not any(value.startswith(p) for p in allowed):
                    return False
            elif value not in allowed:
                return False
        return self.hours is None or _within(local.time(), *self.hours)

    def is_urgent(self, data: Mapping[str, Any]) -> bool:
        return self.urgent if self.urgent is not None else data.get("severity") == "urgent"

    def targets_at(self, level: int) -> tuple[Target, ...]:
        """Level 0 is the rule's own recipients; level n the n-th escalation step."""
        if level == 0:
            return self.notify
        return (self.escalate[level - 1],) if level <= len(self.escalate) else ()


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    timezone: str = "Asia/Shanghai"
    quiet_hours: tuple[time, time] | None = None
    retry: Mapping[str, RetryPolicy] = field(default_factory=dict)
    digest_at: time | None = None  # local time of the daily digest; None: no digest

    def local(self, now: datetime) -> datetime:
        return now.astimezone(ZoneInfo(self.timezone))

    def match(self, event_type: str, data: Mapping[str, Any], now: datetime) -> list[Rule]:
        local = self.local(now)
        return [r for r in self.rules if r.matches(event_type, data, local)]

    def rule(self, name: str) -> Rule | None:
        return next((r for r in self.rules if r.name == name), None)

    def retry_for(self, channel: str) -> RetryPolicy:
        return self.retry.get(channel) or self.retry.get("default") or RetryPolicy()

    def quiet_until(self, now: datetime) -> datetime | None:
        """If ``now`` falls in quiet hours, when they end (aware); else None."""
        if self.quiet_hours is None:
            return None
        start, end = self.quiet_hours
        local = self.local(now)
        if not _within(local.time(), start, end):
            return None
        end_at = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
        if end_at <= local:
            end_at += timedelta(days=1)
        return end_at

    def event_types(self) -> set[str]:
        return {r.event_type for r in self.rules}


def _within(t: time, start: time, end: time) -> bool:
    """Is ``t`` in [start, end)? Windows may wrap midnight (22:00-07:00)."""
    return start <= t < end if start <= end else t >= start or t < end


def _norm(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


# -- parsing --------------------------------------------------------------------------
def parse_rules(doc: Any, known_events: set[str]) -> RuleSet:
    """Validate a loaded rules document; raise RulesError at the first problem."""
    _expect(doc, dict, ())
    _only(doc, {"version", "timezone", "quiet_hours", "retry", "digest_at", "rules"}, ())
    if doc.get("version") != 1:
        raise RulesError(("version",), "must be 1")
    tz = doc.get("timezone", "Asia/Shanghai")
    try:
        ZoneInfo(str(tz))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RulesError(("timezone",), f"unknown time zone {tz!r}") from exc
    quiet = _window(doc["quiet_hours"], ("quiet_hours",)) if "quiet_hours" in doc else None
    retry = _retry(doc.get("retry", {}), ("retry",))
    rules_doc = doc.get("rules")
    _expect(rules_doc, list, ("rules",))
    rules = tuple(_rule(r, ("rules", i), known_events) for i, r in enumerate(rules_doc))
    names = [r.name for r in rules]
    for i, name in enumerate(names):
        if name in names[:i]:
            raise RulesError(("rules", i, "name"), f"duplicate rule name {name!r}")
    digest_at = _clock(doc["digest_at"], ("digest_at",)) if "digest_at" in doc else None
    return RuleSet(rules, str(tz), quiet, retry, digest_at)


def _rule(doc: Any, path: Path, known_events: set[str]) -> Rule:
    _expect(doc, dict, path)
    _only(doc, _RULE_KEYS, path)
    for key in ("name", "event", "notify", "channels"):
        if key not in doc:
            raise RulesError(path, f"missing required key {key!r}")
    name = _string(doc["name"], (*path, "name"))
    event = _string(doc["event"], (*path, "event"))
    if event not in known_events:
        raise RulesError((*path, "event"), f"unknown event type {event!r}")
    when = doc.get("when", {})
    _expect(when, dict, (*path, "when"))
    conditions = {str(k): frozenset(_norm(v) for v in (vs if isinstance(vs, list) else [vs]))
                  for k, vs in when.items()}
    channels = doc["channels"]
    _expect(channels, list, (*path, "channels"))
    for i, c in enumerate(channels):
        if c not in CHANNELS:
            raise RulesError((*path, "channels", i), f"unknown channel {c!r}; one of {CHANNELS}")
    if not channels:
        raise RulesError((*path, "channels"), "name at least one channel")
    urgent = doc.get("urgent")
    if urgent is not None and not isinstance(urgent, bool):
        raise RulesError((*path, "urgent"), "must be true or false (omit: from severity)")
    ack = doc.get("ack_within")
    escalate = _targets(doc.get("escalate", []), (*path, "escalate"))
    if escalate and ack is None:
        raise RulesError((*path, "escalate"), "an escalation chain needs ack_within")
    return Rule(
        name=name, event_type=event, when=conditions, channels=tuple(channels),
        notify=_targets(doc["notify"], (*path, "notify"), required=True),
        hours=_window(doc["hours"], (*path, "hours")) if "hours" in doc else None,
        urgent=urgent, escalate=escalate,
        ack_within_s=_duration(ack, (*path, "ack_within")) if ack is not None else None,
        template=_string(doc.get("template", event), (*path, "template")),
    )


def _targets(doc: Any, path: Path, required: bool = False) -> tuple[Target, ...]:
    _expect(doc, list, path)
    if required and not doc:
        raise RulesError(path, "name at least one recipient")
    out = []
    for i, t in enumerate(doc):
        _expect(t, dict, (*path, i))
        _only(t, {"role", "level"}, (*path, i))
        if t.get("role") not in ROLES:
            raise RulesError((*path, i, "role"), f"unknown role {t.get('role')!r}; "
                             f"one of {sorted(ROLES)}")
        if t.get("level") not in LEVELS:
            raise RulesError((*path, i, "level"), f"level must be one of {list(LEVELS)}")
        out.append(Target(t["role"], t["level"]))
    return tuple(out)


def _retry(doc: Any, path: Path) -> dict[str, RetryPolicy]:
    _expect(doc, dict, path)
    out = {}
    for channel, spec in doc.items():
        if channel not in (*CHANNELS, "default"):
            raise RulesError((*path, channel), f"unknown channel {channel!r}")
        _expect(spec, dict, (*path, channel))
        _only(spec, {"max_attempts", "base", "cap"}, (*path, channel))
        attempts = spec.get("max_attempts", 5)
        if not isinstance(attempts, int) or attempts < 1:
            raise RulesError((*path, channel, "max_attempts"), "a whole number ≥ 1")
        out[channel] = RetryPolicy(attempts, _duration(spec.get("base", "2s"), (*path, channel,
                                   "base")), _duration(spec.get("cap", "5m"),
                                                       (*path, channel, "cap")))
    return out


def _window(doc: Any, path: Path) -> tuple[time, time]:
    text = _string(doc, path)
    try:
        start, end = (time.fromisoformat(p.strip()) for p in text.split("-"))
    except ValueError as exc:
        raise RulesError(path, f"{text!r} is not 'HH:MM-HH:MM'") from exc
    return start, end


def _clock(doc: Any, path: Path) -> time:
    try:
        return time.fromisoformat(_string(doc, path))
    except ValueError as exc:
        raise RulesError(path, f"{doc!r} is not a time of day 'HH:MM'") from exc


def _duration(doc: Any, path: Path) -> int:
    m = _DURATION.match(str(doc).strip())
    if not m or int(m.group(1)) == 0:
        raise RulesError(path, f"{doc!r} is not a duration like 90s, 15m, 2h or 1d")
    return int(m.group(1)) * _UNITS[m.group(2)]


def _string(doc: Any, path: Path) -> str:
    if not isinstance(doc, str) or not doc.strip():
        raise RulesError(path, "must be a non-empty string")
    return doc


def _expect(doc: Any, kind: type, path: Path) -> None:
    if not isinstance(doc, kind):
        raise RulesError(path, f"must be a {'mapping' if kind is dict else kind.__name__}")


def _only(doc: dict[str, Any], allowed: set[str], path: Path) -> None:
    for key in doc:
        if key not in allowed:
            raise RulesError((*path, key), f"unknown key {key!r}; allowed: {sorted(allowed)}")
