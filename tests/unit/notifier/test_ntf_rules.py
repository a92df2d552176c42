"""Rules as data: validation with line numbers, matching, reload keeping old rules."""

from __future__ import annotations

import os
import textwrap
from datetime import UTC, datetime, time

import pytest

from services.notifier.adapters.rules_file import RulesSource, parse_text
from services.notifier.config import HERE
from services.notifier.domain.exceptions import RulesError
from services.notifier.domain.rules import RetryPolicy
from services.notifier.service_layer.handlers import ROUTED

KNOWN = set(ROUTED)
GOOD = textwrap.dedent("""\
    version: 1
    quiet_hours: "22:00-07:00"
    rules:
      - name: r1
        event: registry.case.opened.v1
        when: {situation: [living_alone, missing], mandatory_report: true}
        notify: [{role: police_station, level: township}]
        channels: [email, inbox]
        ack_within: 15m
        escalate: [{role: child_supervisor, level: township}]
    """)
CASE = {"case_id": "k1", "child_id": "c1", "village_code": "500110120201",
        "situation": "living_alone", "severity": "urgent", "step": "report",
        "mandatory_report": True}


def test_the_default_rules_load():
    rules = parse_text((HERE / "rules" / "default.yaml").read_text(), "default.yaml", KNOWN)
    assert rules.rule("mandatory-report").ack_within_s == 900
    assert rules.digest_at == time(8, 0)


@pytest.mark.parametrize(("broken", "line", "reason"), [
    (GOOD.replace("level: township}]\n    channels", "level: county}]\n    channels"), 7,
     "level must be one of"),
    (GOOD.replace("channels: [email, inbox]", "channels: [email, fax]"), 8, "unknown channel"),
    (GOOD.replace("ack_within: 15m", "ack_within: soon"), 9, "not a duration"),
    (GOOD.replace("registry.case.opened.v1", "registry.case.opend.v1"), 5, "unknown event"),
    (GOOD.replace("    ack_within: 15m\n", ""), 9, "needs ack_within"),
    (GOOD.replace("name: r1", "name: r1: x"), 4, "YAML syntax: mapping values"),
    (GOOD + "    colour: red\n", 11, "unknown key 'colour'"),
])
def test_a_malformed_file_is_refused_with_line_and_reason(broken, line, reason):
    with pytest.raises(RulesError) as err:
        parse_text(broken, "rules.yaml", KNOWN)
    assert err.value.line == line, str(err.value)
    assert reason in str(err.value)
    assert str(err.value).startswith(f"rules.yaml:{line}: ")


def test_matching_on_values_lists_and_booleans():
    rules = parse_text(GOOD, "r", KNOWN)
    now = datetime(2026, 7, 1, 2, 0, tzinfo=UTC)
    assert [r.name for r in rules.match("registry.case.opened.v1", CASE, now)] == ["r1"]
    assert rules.match("registry.case.opened.v1", {**CASE, "situation": "none"}, now) == []
    assert rules.match("registry.case.opened.v1", {**CASE, "mandatory_report": False}, now) == []
    assert rules.match("registry.case.referred.v1", CASE, now) == []


def test_village_prefix_and_time_of_day_conditions():
    doc = GOOD.replace("mandatory_report: true}", "village_code: \"500110120\"}\n"
                       "    hours: \"18:00-08:00\"")
    rules = parse_text(doc, "r", KNOWN)
    evening = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)  # 20:00 in Chongqing
    noon = datetime(2026, 7, 1, 4, 0, tzinfo=UTC)  # 12:00
    assert rules.match("registry.case.opened.v1", CASE, evening)
    assert not rules.match("registry.case.opened.v1", CASE, noon)
    assert not rules.match("registry.case.opened.v1", {**CASE, "village_code": "500110109001"},
                           evening)


def test_quiet_hours_end_in_local_time():
    rules = parse_text(GOOD, "r", KNOWN)
    late = datetime(2026, 7, 1, 15, 30, tzinfo=UTC)  # 23:30 local
    until = rules.quiet_until(late)
    assert until is not None and until.hour == 7 and until.day == 2
    assert rules.quiet_until(datetime(2026, 7, 1, 4, 0, tzinfo=UTC)) is None


def test_backoff_grows_exponentially_with_bounded_jitter():
    p = RetryPolicy(max_attempts=5, base_s=2, cap_s=30)
    assert [p.delay_s(n, 1.0) for n in (1, 2, 3, 4, 5)] == [2, 4, 8, 16, 30]
    assert p.delay_s(3, 0.0) == 4  # jitter never goes below half
    assert 4 <= p.delay_s(3, 0.37) <= 8


def test_reload_keeps_the_old_rules_when_the_new_file_is_broken(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(GOOD)
    source = RulesSource(path, KNOWN, check_every_s=0)
    assert source.current().rule("r1") is not None
    path.write_text(GOOD.replace("channels: [email, inbox]", "channels: 7"))
    os.utime(path, (1, 1))  # a different mtime, whatever the file system's resolution
    assert source.current().rule("r1") is not None
    status = source.status()
    assert "rules.yaml:8:" in status.error and "must be a list" in status.error
    path.write_text(GOOD.replace("name: r1", "name: r2"))
    os.utime(path, (2, 2))
    assert source.current().rule("r2") is not None
    assert source.status().error == ""
