"""The CloudEvents 1.0 envelope in structured JSON mode.

Every message on every topic is one of these. The attributes (id, source, type,
subject, time) never carry names, ID numbers or coordinates: ``subject`` is an opaque
aggregate id and personal data lives only in ``data``, whose schema the catalogue
names together with its classification.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

CONTENT_TYPE = "application/cloudevents+json"
SPEC_VERSION = "1.0"
_REQUIRED = ("id", "source", "specversion", "type")


class EnvelopeError(ValueError):
    """The bytes are not a CloudEvents 1.0 structured JSON event."""


@dataclass(frozen=True)
class CloudEvent:
    type: str
    source: str
    subject: str
    data: dict[str, Any]
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    time: datetime = field(default_factory=lambda: datetime.now(UTC))

    def to_dict(self) -> dict[str, Any]:
        return {
            "specversion": SPEC_VERSION,
            "id": self.id,
            "source": self.source,
            "type": self.type,
            "subject": self.subject,
            "time": self.time.isoformat().replace("+00:00", "Z"),
            "datacontenttype": "application/json",
            "data": self.data,
        }

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, raw: bytes | str) -> CloudEvent:
        try:
            doc = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise EnvelopeError(f"not JSON: {exc}") from exc
        if not isinstance(doc, dict):
            raise EnvelopeError("a CloudEvent must be a JSON object")
        missing = [a for a in _REQUIRED if not doc.get(a)]
        if missing:
            raise EnvelopeError(f"missing required attribute(s): {', '.join(missing)}")
        if doc["specversion"] != SPEC_VERSION:
            raise EnvelopeError(f"specversion {doc['specversion']!r} is not {SPEC_VERSION}")
        data = doc.get("data", {})
        if not isinstance(data, dict):
            raise EnvelopeError("data must be a JSON object")
        try:
            time = datetime.fromisoformat(str(doc.get("time")).replace("Z", "+00:00"))
        except ValueError as exc:
            raise EnvelopeError(f"time {doc.get('time')!r} is not RFC 3339") from exc
        return cls(
            type=doc["type"],
            source=doc["source"],
            subject=str(doc.get("subject", "")),
            data=data,
            id=doc["id"],
            time=time,
        )
