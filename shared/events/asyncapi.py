"""The event catalogue as an AsyncAPI 2.6 document, for systems that subscribe.

Generated, never edited by hand: ``shouhu asyncapi > docs/events/asyncapi.yaml``;
a test fails when the committed file is stale.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import yaml
from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from shared.events.catalogue import Catalogue

_ENVELOPE_ATTRS = {
    "specversion": {"type": "string", "const": "1.0"},
    "id": {"type": "string", "description": "Unique per event; consumers deduplicate by it."},
    "source": {"type": "string", "examples": ["/shouhu/registry"]},
    "subject": {"type": "string", "description": "The aggregate's opaque id (also the key)."},
    "time": {"type": "string", "format": "date-time"},
    "datacontenttype": {"type": "string", "const": "application/json"},
}


def _data_schemas(catalogue: Catalogue) -> dict[str, Any]:
    """JSON Schemas of every event's data, via apispec's marshmallow converter."""
    spec = APISpec("events", "1", "3.0.3", plugins=[MarshmallowPlugin()])
    names: dict[type, str] = {}
    for s in catalogue:
        if s.schema not in names:
            names[s.schema] = s.schema.__name__
            spec.components.schema(s.schema.__name__, schema=s.schema)
    return spec.to_dict()["components"]["schemas"]


def asyncapi_document(catalogue: Catalogue) -> dict[str, Any]:
    messages: dict[str, Any] = {}
    channels: dict[str, list[dict[str, str]]] = defaultdict(list)
    for s in catalogue:
        name = s.type.replace(".", "_")
        messages[name] = {
            "name": s.type,
            "title": s.type,
            "summary": s.summary,
            "contentType": "application/cloudevents+json",
            "bindings": {"kafka": {"key": {"type": "string", "description": f"data.{s.key}"}}},
            "x-data-classification": s.classification.value,
            "x-partition-key": s.key,
            "payload": {
                "type": "object",
                "required": ["specversion", "id", "source", "type", "time", "data"],
                "properties": {**_ENVELOPE_ATTRS, "type": {"type": "string", "const": s.type},
                               "data": {"$ref": f"#/components/schemas/{s.schema.__name__}"}},
            },
        }
        channels[s.topic].append({"$ref": f"#/components/messages/{name}"})
    return {
        "asyncapi": "2.6.0",
        "info": {
            "title": "Shouhu events",
            "version": "1",
            "description": "Events of Shouhu's registry, hazards, notifier and gateway. "
                           "Every message is a CloudEvents 1.0 event in structured JSON mode, "
                           "keyed by an opaque aggregate id. Subscribe with your own consumer "
                           "group and deduplicate by the event id.",
        },
        "defaultContentType": "application/cloudevents+json",
        "servers": {"production": {"url": "kafka:9092", "protocol": "kafka"},
                    "embedded": {"url": "127.0.0.1:9092", "protocol": "kafka"}},
        "channels": {
            topic: {"subscribe": {"operationId": f"receive_{topic.replace('.', '_')}",
                                  "message": {"oneOf": refs} if len(refs) > 1 else refs[0]}}
            for topic, refs in sorted(channels.items())
        },
        "components": {"messages": messages, "schemas": _data_schemas(catalogue)},
    }


def render(catalogue: Catalogue) -> str:
    return yaml.safe_dump(asyncapi_document(catalogue), sort_keys=True, allow_unicode=True)
