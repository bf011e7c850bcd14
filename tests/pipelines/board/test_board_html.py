"""The board's HTML page in a real headless Chromium (Debian's ``chromium``), with no network:
the table rows and the timeline's linked marks are in the rendered DOM, and a screenshot is taken."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

import peacewatch.cli

from .conftest import ARTICLES

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _chromium() -> str:
    """The chromium binary; installed from Debian's packages when missing and root, else a skip."""
    found = shutil.which("chromium")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("chromium is not installed and this user cannot install it (apt-get install -y chromium as root)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = subprocess.run(
        ["apt-get", "install", "-y", "-q", "chromium"], env=env, capture_output=True, text=True, timeout=900
    )
    if install.returncode != 0:  # an old package list: update once, then try again
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, timeout=600)
        install = subprocess.run(
            ["apt-get", "install", "-y", "-q", "chromium"], env=env, capture_output=True, text=True, timeout=900
        )
    found = shutil.which("chromium")
    if not found:
        pytest.skip(f"chromium could not be installed: {install.stderr.strip()[-300:]}")
    return found


def _browse(binary: str, tmp_path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    return subprocess.run(
        [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args], capture_output=True, text=True, timeout=120
    )


def test_html_board_renders_in_headless_chromium(board_settings, tmp_path, capsys):
    binary = _chromium()
    page = tmp_path / "board.html"
    assert (
        peacewatch.cli.main(
            [
                "board",
                "--mission",
                "ukraine",
                "--since",
                "2025-06-01",
                "--until",
                "2026-03-31",
                "--format",
                "html",
                "--output",
                str(page),
            ]
        )
        == 0
    )
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"""(?:src|href)\s*=\s*["'](?!https://news\.example/|#)""", html.split("<svg", 1)[0]), (
        "the page must not load anything"
    )
    assert "<script" not in html.lower()
    dom = _browse(binary, tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-500:]
    rendered = dom.stdout
    rows = re.findall(r'<tr class="row" data-actor="([^"]+)" data-stance="([^"]+)"', rendered)
    assert rows == [
        ("France", "support"),
        ("Germany", "support"),
        ("Canada", "undecided"),
        ("NATO", "undecided"),
        ("Poland", "oppose"),
    ]
    timeline = rendered[rendered.index('id="timeline"') : rendered.index('id="counts"')]
    assert "<svg" in timeline
    links = set(re.findall(r'<a [^>]*href="(https://news\.example/\d+)"', timeline))
    ukraine_articles = {a["url"] for a in ARTICLES if "ukraine" in a["missions"]}
    assert links == ukraine_articles  # one linked mark per report, each to its article
    assert all(f">{actor}<" in timeline for actor, _ in rows)  # one row per actor
    assert "Reports per stance" in rendered[rendered.index('id="counts"') :]
    shot = tmp_path / "board.png"
    result = _browse(binary, tmp_path, f"--screenshot={shot}", "--window-size=1280,1600", page.as_uri())
    assert result.returncode == 0 and shot.exists(), result.stderr[-500:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
