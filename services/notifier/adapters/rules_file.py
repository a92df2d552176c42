"""The rules file: loaded at start, reloaded when it changes, old rules kept on error.

Every process (API and worker) holds its own ``RulesSource`` and checks the file's
modification time at most once per ``check_every_s``; a malformed edit is refused with
its line and reason and the previous rules stay in force.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from services.notifier.adapters import yaml_lines
from services.notifier.domain.exceptions import RulesError
from services.notifier.domain.rules import RuleSet, parse_rules

log = logging.getLogger(__name__)


def parse_text(text: str, source: str, known_events: set[str]) -> RuleSet:
    """Parse and validate rules; errors carry the line they refer to."""
    doc, lines = yaml_lines.load(text, source)
    try:
        return parse_rules(doc, known_events)
    except RulesError as exc:
        raise yaml_lines.locate(exc, lines, source) from exc


@dataclass(frozen=True)
class RulesStatus:
    path: str
    digest: str
    loaded_at: float
    rules: int
    error: str  # the last refused edit, "" when the file in force is the newest


class RulesSource:
    def __init__(self, path: Path, known_events: set[str], check_every_s: float = 1.0):
        self.path = path
        self.known_events = known_events
        self.check_every_s = check_every_s
        self._lock = threading.Lock()
        self._mtime = 0.0
        self._checked = 0.0
        self._error = ""
        self._rules, self._digest = self._read()  # the first load must succeed
        self._loaded_at = time.time()

    def _read(self) -> tuple[RuleSet, str]:
        self._mtime = self.path.stat().st_mtime
        raw = self.path.read_bytes()
        rules = parse_text(raw.decode(), self.path.name, self.known_events)
        return rules, hashlib.sha256(raw).hexdigest()[:12]

    def current(self) -> RuleSet:
        """The rules in force, reloading first if the file changed."""
        now = time.monotonic()
        if now - self._checked >= self.check_every_s:
            self._checked = now
            self.reload(only_if_changed=True)
        return self._rules

    def reload(self, only_if_changed: bool = False) -> RulesStatus:
        with self._lock:
            try:
                if only_if_changed and self.path.stat().st_mtime == self._mtime:
                    return self.status()
                self._rules, self._digest = self._read()
                self._loaded_at, self._error = time.time(), ""
                log.info("rules reloaded: %d rule(s), digest %s", len(self._rules.rules),
                         self._digest)
            except (RulesError, OSError, UnicodeDecodeError) as exc:
                self._error = str(exc)
                log.error("rules file refused, previous rules stay in force: %s", exc)
            return self.status()

    def status(self) -> RulesStatus:
        return RulesStatus(str(self.path), self._digest, self._loaded_at,
                           len(self._rules.rules), self._error)
