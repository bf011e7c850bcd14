"""Options: validation messages and the runner choice (what is transient: tests/peacewatch/test_retry.py)."""

from __future__ import annotations

from apache_beam.options.pipeline_options import PipelineOptions

from pipelines.options import PeacewatchOptions, is_local, python_direct_runner
from tests.pipelines.support import SAMPLE


def _problems(*flags: str) -> list[str]:
    return PipelineOptions(list(flags)).view_as(PeacewatchOptions).validate()


def test_validate_explains_what_is_wrong():
    assert _problems("--input", str(SAMPLE)) == []
    assert _problems("--streaming") == []
    assert any("--input" in p for p in _problems())
    assert any("cannot be combined" in p for p in _problems("--streaming", "--input", str(SAMPLE)))
    assert any("batch-size" in p for p in _problems("--streaming", "--batch-size", "0"))
    assert any("ack-lease" in p for p in _problems("--streaming", "--ack-lease-seconds", "5"))


def test_runner_choice():
    assert is_local(PipelineOptions([])) and is_local(PipelineOptions(["--runner", "DirectRunner"]))
    assert not is_local(PipelineOptions(["--runner", "DataflowRunner"]))
    assert type(python_direct_runner()).__name__ == "FnApiRunner"
    assert type(python_direct_runner(streaming=True)).__name__ == "BundleBasedDirectRunner"
