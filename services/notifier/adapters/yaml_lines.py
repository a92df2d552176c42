"""Load YAML and remember the line of every node, so validation errors can name it."""

from __future__ import annotations

from typing import Any

import yaml

from services.notifier.domain.exceptions import RulesError

Path = tuple[str | int, ...]


def load(text: str, source: str) -> tuple[Any, dict[Path, int]]:
    """Parse ``text``; a syntax error becomes a RulesError with its line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        doc = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise RulesError((), f"YAML syntax: {exc.problem or exc}", line, source) from exc
    lines: dict[Path, int] = {}
    if root is not None:
        _walk(root, (), lines)
    return doc, lines


def _walk(node: yaml.Node, path: Path, lines: dict[Path, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, str(key.value))
            _walk(value, child, lines)
            lines[child] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), lines)


def locate(error: RulesError, lines: dict[Path, int], source: str) -> RulesError:
    """The same error with the line of the deepest known node on its path."""
    path = error.path
    while path and path not in lines:
        path = path[:-1]
    return RulesError(error.path, error.reason, lines.get(path), source)
