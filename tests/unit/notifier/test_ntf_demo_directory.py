"""The embedded default's directory serves every village of the demo township: an
urgent message there finds its village's people and never has to fall back."""

from __future__ import annotations

import yaml

from infra.demogen.places import townships
from services.notifier.config import HERE
from services.notifier.domain.directory import parse_directory


def test_every_demo_village_has_a_child_director_and_a_patrol_lead():
    people = parse_directory(yaml.safe_load((HERE / "rules" / "directory.yaml").read_text()))
    [township] = townships("township")
    served = {(p.role, p.scope_code) for p in people}
    missing = [(role, v.code) for v in township.villages
               for role in ("child_director", "patrol_lead") if (role, v.code) not in served]
    assert missing == []
    assert ("station", township.code) in served  # where a gap would fall back to
