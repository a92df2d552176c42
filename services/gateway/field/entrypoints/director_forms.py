"""The visit and case forms as the registry reads them, and its answer back on the form."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from shared.clock import now, township_zone
from shared.events.vocabulary import FINDING_AREAS

_WRAPPERS = {"value", "key"}  # marshmallow's levels inside a dict field's messages


def visit_body(form: dict[str, str]) -> dict[str, Any]:
    """The registry's visit: the findings areas written in, the time as Chinese time."""
    return {"visited_at": _aware(form["visited_at"]), "next_steps": form["next_steps"],
            "findings": {a: form[a] for a in FINDING_AREAS if form[a].strip()}}


def case_body(child_id: str, form: dict[str, str]) -> dict[str, Any]:
    """The registry's new case; an empty severity leaves it to the situation."""
    body = {"child_id": child_id, "situation": form["situation"], "note": form["note"]}
    return {**body, "severity": form["severity"]} if form["severity"] else body


def home_body(form: dict[str, str]) -> dict[str, Any]:
    """The registry's change of a child's home: lon and lat as typed (it reads numbers
    and refuses anything else by name), in the datum the person's map gave."""
    return {"home": {"lon": form["lon"].strip(), "lat": form["lat"].strip(),
                     "datum": form["datum"]}}


def now_local() -> str:
    """Now, as a ``datetime-local`` field shows it."""
    return now().astimezone(township_zone()).strftime("%Y-%m-%dT%H:%M")


def _aware(local: str) -> str:
    """A ``datetime-local`` value as Chinese time; anything else as typed, for the
    registry to refuse by name."""
    try:
        at = datetime.fromisoformat(local)
    except ValueError:
        return local
    return (at if at.tzinfo else at.replace(tzinfo=township_zone())).isoformat()


def field_errors(answer: Any, names: Iterable[str]) -> dict[str, str]:
    """The registry's validation messages by form field (``findings.home_safety.value``
    is the home_safety box); a message for none of ``names`` goes under ``""``."""
    names = set(names)
    found: dict[str, list[str]] = {}

    def walk(node: Any, name: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, name if key in _WRAPPERS else str(key))
        elif isinstance(node, list):
            for value in node:
                walk(value, name)
        else:
            found.setdefault(name if name in names else "", []).append(str(node))

    answer = answer if isinstance(answer, dict) else {}
    walk((answer.get("errors") or {}).get("json") or answer.get("message", ""), "")
    return {name: " ".join(messages) for name, messages in found.items()}
