"""Prism's build cache and launcher (the build itself runs once per machine in the session's
'services up'; the streaming tests run on what it built)."""

from __future__ import annotations

import subprocess

from deploy import prism


def test_launcher_runs_the_cached_binary_with_its_arguments(settings, tmp_path):
    cached = settings.model_copy(update={"cache_dir": str(tmp_path)})
    assert prism.installed(cached) is None
    ok, detail = prism.status_line(cached)
    assert not ok and "not built" in detail
    binary = prism.binary_path(cached)
    binary.parent.mkdir(parents=True)
    binary.write_text('#!/bin/sh\necho "prism got: $*"\n')
    binary.chmod(0o755)
    launcher = prism.installed(cached)
    assert launcher == prism.launcher_path(cached)
    result = subprocess.run([str(launcher), "--job_port", "1234"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and result.stdout.strip() == "prism got: --job_port 1234"
    assert prism.status_line(cached) == (True, f"v{prism.beam_version()} built at {binary}")


def test_the_session_built_prism_for_this_beam_version(services):
    launcher = prism.installed(services)
    assert launcher is not None and prism.binary_path(services).stat().st_size > 10_000_000
    assert f"/prism/{prism.beam_version()}/" in str(launcher)
