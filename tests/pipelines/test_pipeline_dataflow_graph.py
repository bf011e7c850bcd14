"""The streaming graph as Dataflow would get it, validated offline (no Google Cloud, no network).

``peacewatch run --streaming --runner DataflowRunner ...`` submits the same graph as Prism and
Flink. Nothing here talks to Google: the graph is built with Dataflow's options, translated to
the portable Runner API proto (which pickles every DoFn), read back, and checked for what
Dataflow's streaming mode refuses: a grouping key whose coder is not deterministic.
"""

from __future__ import annotations

import apache_beam as beam
import pytest
from apache_beam import coders
from apache_beam.options.pipeline_options import GoogleCloudOptions, PipelineOptions, StandardOptions
from apache_beam.pipeline import PipelineVisitor
from apache_beam.runners.direct.direct_runner import BundleBasedDirectRunner
from apache_beam.typehints import typehints

from peacewatch.settings import load_settings
from pipelines.pipeline import build_pipeline

DATAFLOW_FLAGS = [
    "--runner",
    "DataflowRunner",
    "--streaming",
    "--project",
    "peacewatch-prod",
    "--region",
    "europe-west1",
    "--temp_location",
    "gs://peacewatch-bucket/tmp",
    "--setup_file",
    "./setup.py",
]


class _Grouping(PipelineVisitor):
    def __init__(self) -> None:
        self.keys: list[tuple[str, object]] = []
        self.labels: list[str] = []

    def visit_transform(self, node) -> None:
        self.labels.append(node.full_label)
        if isinstance(node.transform, beam.GroupByKey):
            element = node.inputs[0].element_type
            key = element.tuple_types[0] if isinstance(element, typehints.TupleConstraint) else typehints.Any
            self.keys.append((node.full_label, key))


@pytest.fixture
def dataflow_graph(tmp_path, monkeypatch):
    monkeypatch.setenv("PEACEWATCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PEACEWATCH_PREFIX", "pwdataflow")
    settings = load_settings(pubsub_emulator_host="127.0.0.1:1")
    options = PipelineOptions(DATAFLOW_FLAGS)
    # built, never run: the runner object only holds the graph
    pipeline = beam.Pipeline(runner=BundleBasedDirectRunner(), options=options)
    build_pipeline(pipeline, options, settings)
    return pipeline, options


def test_dataflow_options_parse(dataflow_graph):
    _, options = dataflow_graph
    assert options.view_as(StandardOptions).runner == "DataflowRunner" and options.view_as(StandardOptions).streaming
    cloud = options.view_as(GoogleCloudOptions)
    assert cloud.project == "peacewatch-prod" and cloud.temp_location.startswith("gs://")


def test_streaming_graph_translates_and_reads_back(dataflow_graph):
    pipeline, options = dataflow_graph
    proto = pipeline.to_runner_api()
    names = {t.unique_name for t in proto.components.transforms.values()}
    for step in ("ReadArticles", "ParseArticles", "EnrichArticles", "WriteToElasticsearch", "WriteDeadLetters"):
        assert step in names, step
    again = beam.Pipeline.from_runner_api(proto, BundleBasedDirectRunner(), options)
    assert {t.unique_name for t in again.to_runner_api().components.transforms.values()} == names


def test_grouping_keys_are_deterministic(dataflow_graph):
    pipeline, _ = dataflow_graph
    visitor = _Grouping()
    pipeline.visit(visitor)
    assert visitor.keys, "the streaming graph groups (Reshuffle at least)"
    for label, key in visitor.keys:
        coder = coders.registry.get_coder(key)
        assert coder.is_deterministic(), f"{label}: key coder {coder} is not deterministic (Dataflow refuses it)"
