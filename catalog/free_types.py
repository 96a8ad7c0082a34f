"""The explicit list of resource types with no standing charge (catalog/data/free_types.yaml).

The cost model prices a type it has an estimator for. A type on this list is left out of the
totals for the reason the list gives; every other type is an unknown price ("no estimator for
<type>"), so a billable type nobody wrote an estimator for can never pass as $0.
"""

from __future__ import annotations

import fnmatch
import functools
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from catalog.loader import DATA_DIR, _read_yaml

FREE_TYPES_FILE = DATA_DIR / "free_types.yaml"

FreeKind = Literal["free", "billed-elsewhere", "usage"]
"""`free`: not billed. `billed-elsewhere`: its cost is priced on another resource. `usage`: no
standing charge, only usage the estimate does not model."""


class _Family(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    kind: FreeKind
    reason: str = Field(min_length=1)
    types: list[str] = Field(min_length=1)
    except_: list[str] = Field(default_factory=list, alias="except")


class _FreeTypesFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    families: list[_Family]


@dataclass(frozen=True)
class FreeType:
    """Why a type carries no standing charge: the matching pattern, its kind and reason."""

    pattern: str
    kind: FreeKind
    reason: str


class FreeTypes:
    """The loaded list; `match` says whether (and why) a type is free."""

    def __init__(self, families: list[_Family]):
        self._families = families

    def match(self, type_: str) -> FreeType | None:
        """The first family entry whose pattern covers `type_` (exact tokens before patterns)."""
        for family in self._families:
            if type_ in family.types and type_ not in family.except_:
                return FreeType(type_, family.kind, family.reason)
        for family in self._families:
            if type_ in family.except_:
                continue
            for pattern in family.types:
                if fnmatch.fnmatchcase(type_, pattern):
                    return FreeType(pattern, family.kind, family.reason)
        return None

    def patterns(self) -> list[FreeType]:
        """Every listed pattern with its family's kind and reason, in file order."""
        return [FreeType(p, f.kind, f.reason) for f in self._families for p in f.types]

    def exceptions(self) -> list[str]:
        """Types the patterns explicitly leave to an estimator."""
        return [t for f in self._families for t in f.except_]


@functools.cache
def load_free_types() -> FreeTypes:
    """The free-type list (read once per process)."""
    parsed = _FreeTypesFile.model_validate(_read_yaml(FREE_TYPES_FILE))
    return FreeTypes(list(parsed.families))
