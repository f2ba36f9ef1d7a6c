"""Pickling small frozen records fast: a county batch sends some 300,000 of them between processes."""
from __future__ import annotations

from typing import Any


class Pickled:
    """A slots dataclass that pickles as its class and its fields in order.

    Without it a slots dataclass pickles through the dataclasses module's generic state functions,
    which look its fields up again for every object: a third of the time a batch spends sending
    results from its workers. Every field must be an `__init__` parameter (`__match_args__`), or made from
    them (`init=False`: made again after arrival, as it was before sending)."""

    __slots__ = ()
    __match_args__: tuple[str, ...]

    def __reduce__(self) -> tuple[Any, tuple]:
        return type(self), tuple(getattr(self, name) for name in self.__match_args__)
