"""The README's quick start, pasted line by line into a fresh shell of a fresh clone.

Minutes long (a new virtual environment, the demo's streaming run): ``make test-quickstart`` runs it
(``PEACEWATCH_TEST_QUICKSTART=1``), CI after ``make test``. The shell starts from nothing
(``env -i``, ``bash --noprofile --norc``, ``PATH=/usr/bin:/bin`` plus the folders of the tools the
README asks for when they live elsewhere); the only settings given are this test's own prefix and
data folder, so that it shares the running services without touching anyone's indices or state.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(
    os.environ.get("PEACEWATCH_TEST_QUICKSTART") != "1", reason="minutes long: make test-quickstart"
)


def quick_start_lines(readme: str) -> list[str]:
    """The command lines of the README's "Quick start" block, as a user would paste them."""
    section = readme.split("## Quick start", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.DOTALL)
    assert block, "the README has no quick start block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_the_block_is_found():
    lines = quick_start_lines((ROOT / "README.md").read_text(encoding="utf-8"))
    assert lines[0].startswith("make demo") and any("activate" in line for line in lines)


def _path() -> str:
    folders = ["/usr/bin", "/bin"]
    for tool in ("python3", "make", "git", "java", "mvn", "go"):
        found = shutil.which(tool)
        if found and str(Path(found).parent) not in folders:
            folders.append(str(Path(found).parent))
    return ":".join(folders)


def test_quick_start_in_a_fresh_shell_of_a_fresh_clone(settings, tmp_path):
    clone = tmp_path / "peacewatch"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=300)
    lines = quick_start_lines((clone / "README.md").read_text(encoding="utf-8"))
    env = {
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "PATH": _path(),
        "PEACEWATCH_PREFIX": settings.prefix,
        "PEACEWATCH_DATA_DIR": settings.data_dir,
    }
    script = "set -e\n" + "\n".join(lines) + "\ncommand -v peacewatch\n"
    result = subprocess.run(
        ["env", "-i", *(f"{k}={v}" for k, v in env.items()), "bash", "--noprofile", "--norc"],
        input=script,
        cwd=clone,
        capture_output=True,
        text=True,
        timeout=1500,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "Traceback" not in output
    assert result.stdout.strip().splitlines()[-1] == str(clone / ".venv" / "bin" / "peacewatch")
    assert "languages: analysed 11 (en 9, de 1, fr 1)" in output  # the run's summary, per language
    assert re.search(r"^France\s+support", result.stdout, re.MULTILINE), result.stdout[-3000:]  # the board
    assert "*coalition of the willing*" in result.stdout and "1 of 1 articles" in result.stdout  # the search
    assert "Failed to import GCSFileSystem" not in output and "apitools" not in output
