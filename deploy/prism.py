"""Prism, Beam's runner for local streaming (what Beam's ``DirectRunner`` uses), built once per machine.

Beam's Python SDK downloads a Prism binary from the project's release page the first time it
needs one, which does not work offline. The Go module proxy serves Beam's Go SDK, so Prism is
built here with ``go install github.com/apache/beam/sdks/v2/go/cmd/prism@v<Beam SDK version>``
into the cache folder (``<cache_dir>/prism/<version>/prism``), the same version as the Python SDK.

The pipeline gets it with ``--prism_location`` pointing at a small launcher next to the binary.
The launcher asks the kernel to kill Prism when the process that started it dies
(``setpriv --pdeathsig KILL``), so a ``kill -9`` of ``peacewatch run`` alone cannot leave a
Prism behind; Prism also stays in the run's process group, so killing the group kills both.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

from peacewatch.errors import UserError
from peacewatch.settings import Settings

logger = logging.getLogger(__name__)

PACKAGE = "github.com/apache/beam/sdks/v2/go/cmd/prism"
BUILD_TIMEOUT = 1800
_LAUNCHER = """#!/bin/sh
# Written by peacewatch (deploy/prism.py): runs Prism so that it dies with the process that started it.
PRISM='{binary}'
if command -v setpriv >/dev/null 2>&1; then
  exec setpriv --pdeathsig KILL -- "$PRISM" "$@"
fi
exec "$PRISM" "$@"
"""


def beam_version() -> str:
    """The installed Beam Python SDK version (Prism is built at the same version)."""
    import importlib.metadata

    return importlib.metadata.version("apache-beam")


def prism_dir(settings: Settings, version: str | None = None) -> Path:
    return Path(settings.cache_dir) / "prism" / (version or beam_version())


def binary_path(settings: Settings, version: str | None = None) -> Path:
    return prism_dir(settings, version) / "prism"


def launcher_path(settings: Settings, version: str | None = None) -> Path:
    return prism_dir(settings, version) / "prism-launcher"


def installed(settings: Settings) -> Path | None:
    """The launcher of the Prism built for this Beam version, or ``None`` when it is not built yet."""
    binary, launcher = binary_path(settings), launcher_path(settings)
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        return None
    expected = _LAUNCHER.format(binary=binary)
    try:
        current = launcher.read_text()
    except OSError:
        current = None
    if current != expected:
        _write_launcher(launcher, expected)
    return launcher


def _write_launcher(path: Path, text: str) -> None:
    staging = path.with_name(f".{path.name}.{os.getpid()}")
    staging.write_text(text)
    staging.chmod(0o755)
    staging.replace(path)  # atomic: several worktrees may share one cache folder


def ensure_prism(settings: Settings, quiet: bool = False) -> Path:
    """Returns the Prism launcher, building Prism with Go the first time.

    Raises:
        UserError: Go is missing or the build failed (with the reason and what to do).
    """
    found = installed(settings)
    if found is not None:
        return found
    version = beam_version()
    go = shutil.which("go")
    if not go:
        raise UserError(
            f"Go is needed once to build Prism {version} (Beam's local streaming runner) and was not found",
            "install Go (1.22 or newer), then run 'peacewatch services up'",
        )
    target = prism_dir(settings, version)
    target.mkdir(parents=True, exist_ok=True)
    if not quiet:
        print(f"Building Prism v{version} with Go into {target} (once per machine, about two minutes)...", flush=True)
    env = {**os.environ, "GOBIN": str(target), "CGO_ENABLED": "0"}
    try:
        result = subprocess.run(
            [go, "install", f"{PACKAGE}@v{version}"],
            cwd=target,
            env=env,
            capture_output=True,
            text=True,
            timeout=BUILD_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise UserError(
            f"building Prism took longer than {BUILD_TIMEOUT}s", "check the Go module proxy, then retry"
        ) from None
    if result.returncode != 0 or not binary_path(settings, version).exists():
        lines = [line for line in result.stderr.strip().splitlines() if line.strip()]
        reason = lines[-1][:300] if lines else f"go install exited {result.returncode}"
        raise UserError(
            f"could not build Prism v{version}: {reason}",
            "check that the Go module proxy is reachable (GOPROXY), then retry",
        )
    launcher = installed(settings)
    assert launcher is not None
    return launcher


def status_line(settings: Settings) -> tuple[bool, str]:
    """For ``doctor`` and ``services status``: whether Prism is built, and where (or why not)."""
    version = beam_version()
    found = installed(settings)
    if found is not None:
        return True, f"v{version} built at {binary_path(settings)}"
    if shutil.which("go"):
        return (
            False,
            f"v{version} not built yet (Go found: built by 'peacewatch services up' or the first streaming run)",
        )
    return False, f"v{version} not built and Go is not installed"


def build(settings: Settings) -> str:
    """``services up``: builds Prism when missing; returns what happened."""
    before = installed(settings)
    ensure_prism(settings)
    if before is not None:
        return f"Prism v{beam_version()} already built ({binary_path(settings)})"
    return f"Prism v{beam_version()} built ({binary_path(settings)})"


__all__ = ["beam_version", "binary_path", "build", "ensure_prism", "installed", "launcher_path", "status_line"]
