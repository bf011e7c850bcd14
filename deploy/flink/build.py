"""Resolves the pinned Maven build (``deploy/flink/pom.xml``) into the cache, once per machine.

``mvn package dependency:copy-dependencies`` compiles the thin-job job server
(``src/main/java``) into ``peacewatch-flink.jar`` and copies its runtime classpath (Beam's Flink
runner, Flink's runtime and web UI, Log4j) into ``lib/``. The folder's name carries a hash of the
build file and the sources, so editing either resolves again; a half-finished resolution is never
used (it is built under ``*.partial`` and renamed when complete).
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from deploy import runtime
from peacewatch.errors import UserError
from peacewatch.settings import ServiceSettings, Settings

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
POM = HERE / "pom.xml"
LOG4J = HERE / "log4j.properties"
_NS = {"m": "http://maven.apache.org/POM/4.0.0"}


@dataclasses.dataclass(frozen=True)
class Build:
    """A resolved build: the job-server jar and the folder of runtime jars."""

    home: Path

    @property
    def jar(self) -> Path:
        return self.home / "peacewatch-flink.jar"

    @property
    def lib(self) -> Path:
        return self.home / "lib"

    def jars(self) -> list[Path]:
        return sorted(self.lib.glob("*.jar"))

    def classpath(self) -> str:
        """Every jar, ours first, as a ``-classpath`` value."""
        return os.pathsep.join(str(p) for p in [self.jar, *self.jars()])


def source_files() -> list[Path]:
    return [POM, *sorted((HERE / "src").rglob("*.java"))]


def build_hash() -> str:
    digest = hashlib.sha256()
    for path in source_files():
        digest.update(str(path.relative_to(HERE)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def pinned_versions(pom: Path = POM) -> dict[str, str]:
    """The ``<properties>`` of the build file (``beam.version``, ``flink.version``, ...)."""
    root = ET.parse(pom).getroot()
    props = root.find("m:properties", _NS)
    return {el.tag.split("}", 1)[1]: (el.text or "").strip() for el in (props if props is not None else [])}


def build_home(settings: Settings) -> Path:
    versions = pinned_versions()
    return (
        runtime.cache_dir(settings)
        / f"flink-{versions.get('flink.version', '?')}-beam-{versions.get('beam.version', '?')}-{build_hash()}"
    )


def resolved(settings: Settings) -> Build | None:
    """The build when it is already complete in the cache, else ``None``."""
    build = Build(build_home(settings))
    return build if (build.home / ".complete").exists() else None


def ensure_built(settings: Settings) -> Build:
    """Returns the build, running Maven the first time (minutes; needs Maven Central)."""
    done = resolved(settings)
    if done:
        return done
    home = build_home(settings)
    mvn = shutil.which("mvn")
    if not mvn:
        raise UserError(
            "Maven (mvn) is needed once to fetch Flink and the Beam job server and was not found",
            "install Maven (apt-get install maven)",
        )
    java_home = runtime.find_java_home(minimum=11, preferred=17)
    staging = home.with_name(home.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    repo = ServiceSettings.load().m2_repo
    versions = pinned_versions()
    print(
        f"Fetching Flink {versions.get('flink.version')} and Beam's Flink runner {versions.get('beam.version')} "
        "with Maven (once per machine)...",
        flush=True,
    )
    args = [
        mvn,
        "-q",
        "-B",
        f"-Dmaven.repo.local={repo}",
        "-f",
        str(POM),
        f"-Dpeacewatch.build.dir={staging}",
        "package",
        "dependency:copy-dependencies",
    ]
    env = {**os.environ, "JAVA_HOME": str(java_home)}
    try:
        result = subprocess.run(args, capture_output=True, text=True, timeout=1800, env=env)
    except subprocess.TimeoutExpired:
        raise UserError(
            "Maven did not finish resolving the Flink build within 30 minutes",
            "check that Maven Central is reachable, then retry",
        ) from None
    build = Build(staging)
    if result.returncode != 0 or not build.jar.exists() or not build.jars():
        lines = [line for line in (result.stdout + result.stderr).splitlines() if "ERROR" in line]
        reason = lines[0].replace("[ERROR]", "").strip()[:300] if lines else f"mvn exited {result.returncode}"
        raise UserError(
            f"could not build deploy/flink/pom.xml: {reason}",
            "check that Maven Central is reachable (mvn settings, proxy) and retry",
        )
    for leftover in ("classes", "generated-sources", "maven-archiver", "maven-status"):
        shutil.rmtree(staging / leftover, ignore_errors=True)
    (staging / ".complete").write_text(build_hash())
    shutil.rmtree(home, ignore_errors=True)
    staging.rename(home)
    logger.info("Flink build ready in %s (%d jars)", home, len(Build(home).jars()))
    return Build(home)
