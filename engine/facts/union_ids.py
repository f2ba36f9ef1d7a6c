"""Which record keeps a union id that several records have: the first with it, whether or not its data
could be graded (if not, it is reported for them), so fixing one record never moves a repeat elsewhere.
Every later record with the id is reported as a repeat and left out of results and counts: in a county
batch (`engine/batch/run.py`), a province batch (`engine/province/repeats.py` finds the same rows by
digests) and a ruleset's measured impact (`engine/authoring/impact.py`)."""
from __future__ import annotations

import unicodedata


def id_key(union_id: str) -> str:
    """What two ids must share to be one union's: full-width letters, digits and dashes (ＱＳ－００１, as an input
    method types them) are the ASCII ones (QS-001); case is kept, as pages keep it."""
    return unicodedata.normalize("NFKC", union_id)


class FirstRecords:
    """The ids met so far, each with where its first record is."""

    def __init__(self) -> None:
        self.first: dict[str, str] = {}

    def earlier(self, union_id: object, origin: str) -> str | None:
        """Where an earlier record has `union_id`; None when none has (the id is now this record's)."""
        if union_id is None:
            return None
        key = id_key(str(union_id))
        if key in self.first:
            return self.first[key]
        self.first[key] = origin
        return None


def repeated_id(origin: str, union_id: str, first: str) -> str:
    """Why a record whose union id an earlier record has is left out."""
    return (f"{origin}: 工会编号 “{union_id}” 重复：{first} 已用了这个编号，这里的记录未计入；"
            "如是同一单位，请只保留一份记录，如是另一个单位，请改正其编号")
