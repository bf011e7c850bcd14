"""The resolved Flink build: pinned versions, a thin classpath, and the mixed Beam versions link."""

from __future__ import annotations

import pytest

from deploy.flink import build
from peacewatch.settings import load_settings
from tests.flink.classfiles import unresolved


@pytest.fixture(scope="module")
def resolved():
    return build.ensure_built(load_settings())


def test_classpath_has_the_pinned_versions(resolved):
    versions = build.pinned_versions()
    names = {jar.name for jar in resolved.jars()}
    assert f"beam-runners-flink-1.19-{versions['beam.version']}.jar" in names
    assert f"beam-runners-java-job-service-{versions['beam.jobservice.version']}.jar" in names
    assert f"flink-runtime-{versions['flink.version']}.jar" in names
    assert f"flink-runtime-web-{versions['flink.version']}.jar" in names
    beam = sorted(n for n in names if n.startswith("beam-") and not n.startswith("beam-vendor-"))
    other = [n for n in beam if versions["beam.version"] not in n]
    assert other == [f"beam-runners-java-job-service-{versions['beam.jobservice.version']}.jar"], other
    assert resolved.jar.exists() and resolved.jar.stat().st_size < 100_000, "the job server's own jar is tiny"


def test_job_service_links_against_the_newer_beam(resolved):
    group = [jar for jar in resolved.jars() if jar.name.startswith("beam-runners-java-job-service-")]
    problems = unresolved([resolved.jar, *resolved.jars()], [*group, resolved.jar])
    assert problems == [], "\n".join(problems[:20])
