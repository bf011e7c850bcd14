"""Keeps Beam's import-time warnings about optional Google Cloud extras that are not installed quiet.

Importing ``apache_beam`` tries its optional file systems and clients and logs, in every process
that imports it (the command, the NLP processes, the Python workers)::

    Failed to import GCSFileSystem; loading of this filesystem will be skipped. Error details: ...
    apitools not found, and bigquery client libraries are not available despite ...

Both say that an extra (``apache-beam[gcp]``) is not installed, which is how peacewatch runs
unless it targets Dataflow. :func:`quiet_missing_extras` drops exactly these records, and only
while the package they complain about is really absent: a GCS file system that is installed but
fails to import, or any other warning, still gets through.
"""

from __future__ import annotations

import importlib.util
import logging

# (logger name, message start, the module whose absence makes the warning moot)
_MOOT_WARNINGS = (
    ("apache_beam.io.filesystems", "Failed to import GCSFileSystem", "google.cloud.storage"),
    ("root", "apitools not found", "apitools"),
)


def _absent(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except (ImportError, ValueError):  # a parent package missing or broken: the module is absent
        return True


class _MootWarningFilter(logging.Filter):
    """Drops the records of one logger that start with ``prefix`` while ``module`` is not installed."""

    def __init__(self, prefix: str, module: str) -> None:
        super().__init__()
        self.prefix = prefix
        self.module = module
        self._absent: bool | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith(self.prefix):
            return True
        if self._absent is None:
            self._absent = _absent(self.module)
        return not self._absent


def quiet_missing_extras() -> None:
    """Installs the filters (idempotent); call it before ``apache_beam`` is imported."""
    for name, prefix, module in _MOOT_WARNINGS:
        target = logging.getLogger() if name == "root" else logging.getLogger(name)
        if not any(isinstance(f, _MootWarningFilter) and f.prefix == prefix for f in target.filters):
            target.addFilter(_MootWarningFilter(prefix, module))
