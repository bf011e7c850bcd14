"""Options: validation messages, the runner choice, and which failures count as transient."""

from __future__ import annotations

from apache_beam.options.pipeline_options import PipelineOptions

from pipelines.retry import is_transient
from pipelines.options import PeacewatchOptions, is_local, python_direct_runner
from pipelines.write_es import ElasticsearchUnavailable
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


def test_transient_failures():
    from elastic_transport import ApiResponseMeta, ConnectionError as EsConnectionError, HttpHeaders
    from elasticsearch import ApiError
    from google.api_core import exceptions

    def api_error(status):
        meta = ApiResponseMeta(status=status, http_version="1.1", headers=HttpHeaders(), duration=0.0, node=None)
        return ApiError("x", meta=meta, body={})

    assert is_transient(ElasticsearchUnavailable("down", 3))
    assert is_transient(EsConnectionError("refused"))
    assert is_transient(api_error(503)) and is_transient(api_error(429)) and not is_transient(api_error(400))
    assert is_transient(exceptions.ServiceUnavailable("x")) and not is_transient(exceptions.NotFound("x"))
    assert not is_transient(ValueError("a bug"))
