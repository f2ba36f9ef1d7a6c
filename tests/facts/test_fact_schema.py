"""The generated fact schema: its fast predicates agree with jsonschema on every value."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.diagnostics import Mark
from engine.facts.fact_schema import Validator, fact_schema, predicate, property_schema
from engine.language.model import FactDecl
from engine.values import Fraction

DECLS = [
    FactDecl("n", "integer", "人数", Mark("t")),
    FactDecl("r", "number", "比率", Mark("t"), unit="%", min=Fraction(0), max=Fraction(1)),
    FactDecl("b", "boolean", "是否", Mark("t")),
    FactDecl("s", "string", "文本", Mark("t")),
    FactDecl("e", "enum", "制度", Mark("t"), values=("none", "adopted", "posted")),
    FactDecl("d", "date", "日期", Mark("t")),
    FactDecl("q", "list", "季度", Mark("t"), items="integer"),
    FactDecl("q4", "list", "四个季度", Mark("t"), items="integer", length=4),
    FactDecl("t", "integer", "任期", Mark("t"), min=Fraction(3), max=Fraction(5)),
]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10, 10), st.floats(-2, 10, allow_nan=False), st.text(max_size=3),
    st.sampled_from(["是", "否", "posted", "none", "2023-05-12", "2023-13-01", "yes", "有"]),
    st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)), st.decimals(-5, 5, allow_nan=False, places=2),
)
values = st.one_of(scalars, st.lists(scalars, max_size=4), st.lists(st.integers(0, 3), min_size=3, max_size=5))


@settings(max_examples=600, deadline=None)
@given(index=st.integers(0, len(DECLS) - 1), value=values)
def test_predicate_agrees_with_jsonschema(index: int, value: object) -> None:
    decl = DECLS[index]
    spec = property_schema(decl)
    checker = Validator(fact_schema([decl]))
    assert predicate(spec)(value) == (not list(checker.iter_errors({decl.name: value})))


def test_decimal_from_a_spreadsheet_is_a_number_but_not_an_integer() -> None:
    assert predicate(property_schema(DECLS[1]))(Decimal("0.95"))
    assert not predicate(property_schema(DECLS[0]))(Decimal("3"))
