"""A township's villages by name, as ledgers write them (石足村, 石足, 石足村村民委员会).

The gazetteer names villages officially (``石足村村民委员会``); ledgers use the short name
or leave off 村 / 社区. A name that fits two villages is refused with both candidates
rather than guessed: a child filed under the wrong village gets the wrong director.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from shared.gazetteer import clean, short_name

__all__ = ["AmbiguousVillage", "VillageDirectory", "VillageNotFound", "clean", "short_name",
           "stem"]

_KINDS = ("社区", "村", "居")


class VillageNotFound(LookupError):
    """The name is not a village of the township; ``candidates`` holds near names."""

    def __init__(self, name: str, candidates: list[str]):
        super().__init__(name)
        self.name, self.candidates = name, candidates


class AmbiguousVillage(LookupError):
    """The name fits several villages; ``candidates`` are their short names."""

    def __init__(self, name: str, candidates: list[str]):
        super().__init__(name)
        self.name, self.candidates = name, candidates


def stem(name: str) -> str:
    """'石足村' → '石足', '扶欢社区' → '扶欢': what a clerk may write for either."""
    name = short_name(name)
    for kind in _KINDS:
        if name.endswith(kind) and len(name) > len(kind):
            return name[: -len(kind)]
    return name


@dataclass(frozen=True)
class VillageDirectory:
    """The configured township's villages: 12-digit NBS code → short name."""

    township_code: str = ""
    township_name: str = ""
    names: Mapping[str, str] = field(default_factory=dict)
    _resolved: dict[str, str | LookupError] = field(default_factory=dict, compare=False,
                                                    repr=False)  # a ledger repeats names

    @classmethod
    def of(cls, township_code: str, township_name: str,
           official: Mapping[str, str]) -> VillageDirectory:
        return cls(township_code, township_name,
                   {code: short_name(n) for code, n in official.items()})

    def with_extra(self, extra: Mapping[str, str]) -> VillageDirectory:
        """Add villages (code → name) a station configured by hand."""
        return VillageDirectory(self.township_code, self.township_name,
                                {**self.names, **{c: short_name(n) for c, n in extra.items()}})

    def name_of(self, code: str) -> str:
        return self.names.get(code, "")

    def resolve(self, name: str) -> str:
        """The code of the village ``name`` means (full, short or stem form)."""
        wanted = clean(name)
        found = self._resolved.get(wanted)
        if found is None:
            found = self._resolved[wanted] = self._resolve(wanted)
        if isinstance(found, LookupError):
            raise found
        return found

    def _resolve(self, wanted: str) -> str | LookupError:
        exact = [c for c, n in self.names.items() if n == short_name(wanted)]
        if len(exact) == 1:
            return exact[0]
        fits = exact or [c for c, n in self.names.items() if stem(n) == stem(wanted)]
        if len(fits) == 1:
            return fits[0]
        if fits:
            return AmbiguousVillage(wanted, sorted(self.names[c] for c in fits))
        near = sorted(n for n in self.names.values() if stem(wanted) and
                      (stem(wanted) in n or stem(n) in wanted))
        return VillageNotFound(wanted, near)
