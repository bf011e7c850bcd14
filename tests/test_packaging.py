"""What setup.py ships (to Beam workers with ``--setup_file``): the packages and their data, no launcher sources."""

from __future__ import annotations

from pathlib import Path

from setuptools import find_packages
from setuptools.dist import Distribution

ROOT = Path(__file__).resolve().parents[1]
LAUNCHER_SOURCES = {".go", ".mod", ".sum", ".java", ".xml", ".sh", ".properties"}


def _distribution() -> Distribution:
    from distutils.core import run_setup

    return run_setup(str(ROOT / "setup.py"), stop_after="init")


def _shipped_data(dist: Distribution) -> list[Path]:
    files = []
    for package, patterns in (dist.package_data or {}).items():
        folder = ROOT / package.replace(".", "/")
        for pattern in patterns:
            files += [path for path in folder.glob(pattern) if path.is_file()]
    return files


def test_workers_get_the_packages_and_their_data_but_no_launcher_sources():
    dist = _distribution()
    assert {"peacewatch", "pipelines", "pipelines.nlp", "schemas", "connectors"} <= set(dist.packages)
    shipped = _shipped_data(dist)
    assert any(path.name == "missions.yaml" for path in shipped)  # the NLP's data
    assert any(path.parent.name == "json" and path.suffix == ".json" for path in shipped)  # the contract
    assert [p.relative_to(ROOT) for p in shipped if p.suffix in LAUNCHER_SOURCES] == []
    assert dist.entry_points["console_scripts"] == ["peacewatch=peacewatch.cli:main"]
    code = set(find_packages(str(ROOT), include=["peacewatch*", "connectors*", "pipelines*", "schemas*", "deploy*"]))
    assert code <= set(dist.packages)
    data_folders = set(dist.packages) - code  # declared so that setuptools ships them without a warning
    assert {"pipelines.nlp.data", "pipelines.nlp.data.lang.fr", "schemas.json"} <= data_folders
    assert [f for f in data_folders if list((ROOT / f.replace(".", "/")).glob("*.py"))] == []  # data only
