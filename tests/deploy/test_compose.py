"""The compose files in deploy/ parse and keep to the local-use rules, without running Docker.

Variables are resolved the way Compose does with an empty environment (``${VAR:-default}``
takes the default), so the checks see what ``docker compose up`` would start by default.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from peacewatch.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
FULL = DEPLOY / "docker-compose.yml"
HOST = DEPLOY / "kibana-host.compose.yml"
COMPOSE_FILES = [FULL, HOST]
LOOPBACK = "127.0.0.1"
MAX_HEAP_BYTES = 2 * 1024**3

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}")


def interpolate(value: Any) -> Any:
    """Compose interpolation with no variables set: ``${X:-d}`` and ``${X-d}`` become ``d``."""
    if isinstance(value, str):
        return _VARIABLE.sub(lambda m: m.group(2) or "", value)
    if isinstance(value, list):
        return [interpolate(v) for v in value]
    if isinstance(value, dict):
        return {k: interpolate(v) for k, v in value.items()}
    return value


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("services"), dict), f"{path.name}: no services"
    return interpolate(data)


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def _image_tag(service: dict[str, Any]) -> tuple[str, str]:
    name, _, tag = service["image"].rpartition(":")
    return name.rsplit("/", 1)[-1], tag


def _bytes(size: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kmg]?)b?", size.lower()).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[unit]


def _host_ip(port: Any) -> str | None:
    if isinstance(port, dict):
        return port.get("host_ip")
    parts = str(port).split(":")
    # "ip:host:container" binds ip; "host:container" and "container" bind every interface.
    return parts[0] if len(parts) == 3 else None


def test_interpolate():
    assert interpolate("a:${V:-9.2.0}-${W-x}${Z}") == "a:9.2.0-x"


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda p: p.name)
def test_every_port_is_published_on_loopback_only(path):
    for name, service in _load(path)["services"].items():
        for port in service.get("ports", []):
            assert _host_ip(port) == LOOPBACK, f"{path.name} {name}: port {port!r} is not bound to {LOOPBACK}"
        if service.get("network_mode") == "host":
            assert not service.get("ports"), f"{path.name} {name}: ports mean nothing with the host network"
            if name == "kibana":
                assert _environment(service).get("SERVER_HOST") == LOOPBACK, (
                    f"{path.name} {name}: Kibana on the host network must bind {LOOPBACK}"
                )


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda p: p.name)
def test_kibana_and_elasticsearch_versions_agree(path):
    services = _load(path)["services"]
    tags = {_image_tag(s) for s in services.values() if _image_tag(s)[0] in ("elasticsearch", "kibana")}
    versions = {tag for _, tag in tags}
    assert len(versions) == 1, f"{path.name}: stack images differ in version: {sorted(tags)}"
    (version,) = versions
    assert re.fullmatch(r"9\.\d+\.\d+", version), f"{path.name}: expected an exact 9.x.y version, got {version}"
    default = ServiceSettings.load({}).es_version
    assert version == default, f"{path.name}: {version} differs from the Elasticsearch `services up` runs ({default})"


ELASTIC_IMAGES = {
    "elasticsearch": "docker.elastic.co/elasticsearch/elasticsearch",
    "kibana": "docker.elastic.co/kibana/kibana",
}


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda p: p.name)
def test_stack_images_are_elastics_own(path):
    """The images Elastic documents, from its own registry (not Docker Hub's short names)."""
    stack = {name: s["image"] for name, s in _load(path)["services"].items() if _image_tag(s)[0] in ELASTIC_IMAGES}
    assert stack, f"{path.name}: no Elasticsearch or Kibana image"
    for name, image in stack.items():
        repository = image.rpartition(":")[0]
        assert repository == ELASTIC_IMAGES[repository.rsplit("/", 1)[-1]], f"{path.name} {name}: {image}"


def test_every_service_the_import_waits_for_has_a_healthcheck():
    """Compose's service_healthy needs a health check on the service waited for, all the way down."""
    for path in COMPOSE_FILES:
        services = _load(path)["services"]
        for name, service in services.items():
            for needed, how in (service.get("depends_on") or {}).items():
                assert how["condition"] == "service_healthy", f"{path.name} {name} -> {needed}"
                assert services[needed]["healthcheck"]["test"], f"{path.name}: {needed} has no health check"
        assert int(_environment(services["kibana-import"])["KIBANA_WAIT_SECONDS"]) > 0


def test_elasticsearch_heap_is_bounded_and_fixed():
    es = _load(FULL)["services"]["elasticsearch"]
    options = _environment(es)["ES_JAVA_OPTS"]
    xms = re.findall(r"-Xms(\w+)", options)
    xmx = re.findall(r"-Xmx(\w+)", options)
    assert xmx and xms, f"ES_JAVA_OPTS {options!r} must set -Xms and -Xmx"
    assert xms == xmx, "a heap that grows is a heap that pauses: set -Xms equal to -Xmx"
    assert _bytes(xmx[0]) <= MAX_HEAP_BYTES
    assert _bytes(es["mem_limit"]) > _bytes(xmx[0]), "the container limit must leave room beyond the heap"


def test_elasticsearch_is_single_node_with_a_data_volume_and_healthcheck():
    compose = _load(FULL)
    es = compose["services"]["elasticsearch"]
    env = _environment(es)
    assert env["discovery.type"] == "single-node"
    # Security off is acceptable only because nothing listens beyond loopback (checked above).
    assert env["xpack.security.enabled"] == "false"
    volumes = [v.split(":") for v in es["volumes"]]
    assert ["es-data", "/usr/share/elasticsearch/data"] in volumes
    assert "es-data" in compose.get("volumes", {})
    assert es["healthcheck"]["test"]


@pytest.mark.parametrize("path", COMPOSE_FILES, ids=lambda p: p.name)
def test_kibana_has_a_healthcheck_and_the_import_waits_for_it(path):
    services = _load(path)["services"]
    kibana = services["kibana"]
    assert "/api/status" in " ".join(kibana["healthcheck"]["test"])
    importer = services["kibana-import"]
    assert importer["depends_on"]["kibana"]["condition"] == "service_healthy"
    assert importer.get("restart") == "no", "the import is a one-shot"
    assert any("import.sh" in part for part in importer["entrypoint"])
    (mount,) = importer["volumes"]
    source, target = mount.split(":")[:2]
    folder = (path.parent / source).resolve()
    assert (folder / "import.sh").is_file() and (folder / "peacewatch.ndjson").is_file()
    assert any(part.startswith(target) for part in importer["entrypoint"]), "the entrypoint must run the mounted script"
    assert _environment(importer)["KIBANA_URL"].rstrip("/").endswith(":5601")


def test_kibana_waits_for_a_healthy_elasticsearch():
    services = _load(FULL)["services"]
    assert services["kibana"]["depends_on"]["elasticsearch"]["condition"] == "service_healthy"
    assert _environment(services["kibana"])["ELASTICSEARCH_HOSTS"] == '["http://elasticsearch:9200"]'


def test_the_pubsub_emulator_is_opt_in():
    # It takes the port `peacewatch services up` uses for its emulator, so never by default.
    emulator = _load(FULL)["services"]["pubsub-emulator"]
    assert emulator["profiles"] == ["pubsub"]
    assert "pubsub" in emulator["command"] and emulator["healthcheck"]["test"]
