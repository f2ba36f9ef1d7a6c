"""One union's assessment as the JSON record: `assess --format json`, a line of results.jsonl per
ruleset, and the form the service will store (see engine/schemas/result.schema.json)."""
from __future__ import annotations

import json
from typing import Any

import orjson

from ..evaluate.assessment import Assessment
from ..plan.records import Plan


def union_json(union: dict[str, Any], period: int | None) -> dict:
    keys = ("id", "name", "type", "county", "township")
    return {**{k: union.get(k) for k in keys}, "period": period}


def document(assessment: Assessment, plans: dict[str, Plan]) -> dict:
    """The JSON record: the union, the assessment date, and each result with its plan to the next level."""
    records = []
    for ruleset_id, result in assessment.results.items():
        record = result.to_json()
        if ruleset_id in plans:
            record["plan"] = plans[ruleset_id].to_json()
        records.append(record)
    fact_file = assessment.fact_file
    return {"union": union_json(fact_file.union, fact_file.period), "as_of": assessment.as_of.isoformat(), "results": records}


def as_json(assessment: Assessment, plans: dict[str, Plan]) -> str:
    return json.dumps(document(assessment, plans), ensure_ascii=False, indent=2)


def json_lines(record: dict) -> bytes:
    """results.jsonl: one line per union and ruleset (UTF-8 JSON)."""
    head = {"union": record["union"], "as_of": record["as_of"]}
    return b"".join(json_line({**head, "result": result}) for result in record["results"])


def json_line(value: dict) -> bytes:
    """One compact line: orjson, or the json module for what orjson refuses (an integer past 64 bits,
    such as a ruleset's derived product of two large facts; cells and fact files stop at 10^15)."""
    try:
        return orjson.dumps(value) + b"\n"
    except TypeError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
