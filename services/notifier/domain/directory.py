"""The directory of people and units who receive notifications.

Events carry no names: a rule names a role and a level, and the directory says who
holds that role for the event's place. Places nest by administrative code prefix
(docs/domain.md rule 11): village (12 digits) → township (9) → district (6).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from services.notifier.domain.exceptions import InvalidPerson, RulesError

LEVELS = {"village": 12, "township": 9, "district": 6}
ROLES = frozenset({
    "child_director", "child_supervisor", "station", "police_station", "school",
    "health", "civil_affairs", "womens_federation", "patrol_lead", "district_office",
    "department", "village_committee",
})
CHANNELS = ("email", "webhook", "wecom", "dingtalk", "sms", "inbox")
LANGS = ("zh", "en")
_FIELDS = {"person_id", "role", "scope_code", "contacts", "user_id", "lang", "label"}
_SCOPE = re.compile(r"^(\d{6}|\d{9}|\d{12})$")


def scope_for(village_code: str, level: str) -> str:
    """The scope code a ``level`` recipient of that village holds ("" if unknown)."""
    if len(village_code) != 12:
        return ""
    return village_code[: LEVELS[level]]


@dataclass(frozen=True)
class Person:
    """A recipient: a person or a unit's duty desk. ``contacts`` maps channel →
    address in the order of preference the fallback follows; addresses are personal
    data and never logged."""

    person_id: str
    role: str
    scope_code: str
    contacts: dict[str, str] = field(default_factory=dict)
    user_id: str = ""  # the login (token subject) whose inbox shows this person's items
    lang: str = "zh"
    label: str = ""  # a unit's name, e.g. "扶欢派出所"; people are not named here

    def validate(self) -> Person:
        if not self.person_id or len(self.person_id) > 64:
            raise InvalidPerson("person_id", "1 to 64 characters")
        if self.role not in ROLES:
            raise InvalidPerson("role", f"must be one of {sorted(ROLES)}")
        if not _SCOPE.match(self.scope_code):
            raise InvalidPerson("scope_code", "a 6-, 9- or 12-digit division code")
        if self.lang not in LANGS:
            raise InvalidPerson("lang", f"must be one of {LANGS}")
        for channel, address in self.contacts.items():
            if channel not in CHANNELS:
                raise InvalidPerson("contacts", f"unknown channel {channel!r}")
            if not isinstance(address, str) or not address:
                raise InvalidPerson("contacts", f"{channel}: address must be a string")
        return self

    def channel_order(self) -> list[str]:
        """Channels in fallback order; the in-app inbox always works, so it is last."""
        order = [c for c in self.contacts if c != "inbox"]
        return [*order, "inbox"]

    def pick_channels(self, wanted: tuple[str, ...]) -> list[str]:
        """The rule's channels this person can be reached on (at least one)."""
        usable = [c for c in wanted if c == "inbox" or c in self.contacts]
        return usable or self.channel_order()[:1]

    def next_channel(self, tried: set[str]) -> str | None:
        """Where to hand over when the channels in ``tried`` failed."""
        return next((c for c in self.channel_order() if c not in tried), None)


def parse_directory(doc: Any) -> list[Person]:
    """Validate a directory document ``{people: [...]}``; errors carry their path."""
    if not isinstance(doc, dict) or not isinstance(doc.get("people"), list):
        raise RulesError(("people",), "a directory is a mapping with a 'people' list")
    out, seen = [], set()
    for i, entry in enumerate(doc["people"]):
        if not isinstance(entry, dict):
            raise RulesError(("people", i), "must be a mapping")
        unknown = set(entry) - _FIELDS
        if unknown:
            raise RulesError(("people", i, sorted(unknown)[0]), "unknown key")
        try:
            person = Person(
                person_id=str(entry.get("person_id", "")), role=str(entry.get("role", "")),
                scope_code=str(entry.get("scope_code", "")),
                contacts=dict(entry.get("contacts") or {}),
                user_id=str(entry.get("user_id", "")), lang=str(entry.get("lang", "zh")),
                label=str(entry.get("label", ""))).validate()
        except InvalidPerson as exc:
            raise RulesError(("people", i, exc.field), exc.message) from exc
        if person.person_id in seen:
            raise RulesError(("people", i, "person_id"), "duplicate person_id")
        seen.add(person.person_id)
        out.append(person)
    return out
