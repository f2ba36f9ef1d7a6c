"""Results and marks travel from batch workers to the batch process as their fields (engine/pickled.py)."""
from __future__ import annotations

import dataclasses
import pickle

from conftest import REPO

from engine import DurableEvaluator, assess, load_fact_file, resolve_rulesets
from engine.pickled import Pickled


def test_every_pickled_record_is_rebuilt_from_all_its_fields() -> None:
    records = Pickled.__subclasses__()
    assert len(records) >= 7
    for record in records:
        assert [f.name for f in dataclasses.fields(record) if f.init] == list(record.__match_args__), record


def test_a_union_assessed_in_every_standard_comes_back_equal() -> None:
    rulesets = resolve_rulesets()
    facts = load_fact_file(REPO / "facts" / "qingshan" / "QS-016.yaml")
    results = list(assess(rulesets, facts, DurableEvaluator()).results.values())
    back = pickle.loads(pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == results
    assert [i.to_json() for r in back for i in r.items] == [i.to_json() for r in results for i in r.items]  # made again, not sent
    assert pickle.loads(pickle.dumps(facts)) == facts
