"""The published contract: AsyncAPI up to date, every schema round-trips."""

from pathlib import Path

import pytest

from shared.events import default_catalogue
from shared.events.asyncapi import render
from shared.events.catalogue import Classification

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = default_catalogue()


def test_committed_asyncapi_document_is_current():
    committed = (ROOT / "docs/events/asyncapi.yaml").read_text()
    assert committed == render(CATALOGUE), (
        "docs/events/asyncapi.yaml is stale: run "
        "`.venv/bin/shouhu asyncapi > docs/events/asyncapi.yaml`")


@pytest.mark.parametrize("spec", list(CATALOGUE), ids=lambda s: s.type)
def test_every_event_type_declares_topic_key_and_classification(spec):
    assert spec.topic.startswith(spec.owner + "."), "topics are owned by the producer"
    assert isinstance(spec.classification, Classification)
    fields = spec.schema().fields
    assert spec.key in fields and fields[spec.key].required, "the key must be a required field"
    if spec.classification is not Classification.PUBLIC:
        forbidden = {"name", "id_number", "phone", "address"}
        assert not forbidden & set(fields), f"{spec.type} carries direct identifiers"
