from __future__ import annotations

import gc

import pytest
from click.testing import CliRunner

from cli import cli
from engine.batch.garbage import THRESHOLDS, quiet_while


def test_the_batch_process_collects_less_and_is_as_it_was_afterwards():
    before = gc.get_threshold()
    with quiet_while():
        assert gc.get_threshold() == THRESHOLDS
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_an_error_leaves_the_collector_as_it_was():
    before = gc.get_threshold()
    with pytest.raises(KeyError), quiet_while():
        raise KeyError("x")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def tracked(thing: object) -> bool:
    """Whether the collector's generations hold `thing`: a frozen object is in none of them."""
    return any(found is thing for found in gc.get_objects())


def test_what_another_part_froze_stays_frozen():
    kept = [[]]  # a container the collector tracks, alive through the test
    gc.freeze()
    try:
        with quiet_while():
            pass
        assert not tracked(kept)
    finally:
        gc.unfreeze()
    assert tracked(kept)


def test_a_batch_run_in_process_leaves_the_collector_as_it_was(tmp_path):
    before = gc.get_threshold()
    result = CliRunner().invoke(cli, ["batch", "facts/qingshan", "--out", str(tmp_path / "out"), "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
