"""Message templates (templates/messages.yaml), rendered per delivery and language."""

from __future__ import annotations

import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from services.notifier.domain.exceptions import RulesError
from services.notifier.domain.message import Message

DEFAULT = Path(__file__).resolve().parents[1] / "templates" / "messages.yaml"
_LABELLED = ("urgent", "situation", "unit", "kind", "risk_grade", "to_step", "decision",
             "protection")


class _Context(dict):  # type: ignore[type-arg]
    def __missing__(self, key: str) -> str:
        return ""


class Templates:
    def __init__(self, doc: Mapping[str, Any], gateway_url: str, ack_url: str):
        self.labels = doc["labels"]
        self.messages = doc["messages"]
        self.gateway_url = gateway_url.rstrip("/")
        self.ack_url = ack_url.rstrip("/")
        self._check()

    @classmethod
    def load(cls, gateway_url: str, ack_url: str, path: Path = DEFAULT) -> Templates:
        return cls(yaml.safe_load(path.read_text()), gateway_url, ack_url)

    def _check(self) -> None:
        """Fail at start, not at 3 a.m.: every template parses, both languages exist."""
        fmt = string.Formatter()
        for event_type, spec in self.messages.items():
            for lang in self.labels:
                for part in ("subject", "body"):
                    text = spec.get(lang, {}).get(part)
                    if not isinstance(text, str):
                        raise RulesError(("messages", event_type, lang, part), "missing",
                                         source="messages.yaml")
                    list(fmt.parse(text))

    def has(self, event_type: str) -> bool:
        return event_type in self.messages

    def render(self, *, delivery_id: str, event_id: str, event_type: str,
               data: Mapping[str, Any], urgent: bool, lang: str, level: int,
               ack_token: str) -> Message:
        spec = self.messages[event_type]
        labels = self.labels.get(lang) or self.labels["zh"]
        ctx = _Context({k: "" if v is None else v for k, v in data.items()})
        ctx["urgent"] = "true" if urgent else "false"
        for name in _LABELLED:
            value = str(ctx.get(name, ""))
            ctx[f"label_{name}"] = labels.get(name, {}).get(value, value)
        ctx["escalation"] = labels["escalation"] if level > 0 else ""
        ctx["link"] = self.gateway_url + spec["link"].format_map(ctx)
        ctx["ack_link"] = f"{self.ack_url}/ack/{ack_token}" if ack_token else ""
        part = spec[lang] if lang in spec else spec["zh"]
        sms = spec.get("sms", {})
        return Message(
            delivery_id=delivery_id, event_id=event_id, event_type=event_type,
            subject=part["subject"].format_map(ctx),
            body=part["body"].format_map(ctx).strip() + "\n",
            urgent=urgent, link=ctx["link"], ack_link=ctx["ack_link"],
            sms_template=sms.get("template_code", ""),
            sms_params={k: v.format_map(ctx)[:35] for k, v in sms.get("params", {}).items()},
        )
