"""State files only their owner can read: 0600 files, 0700 folders.

Every file the project creates under the data folder (SQLite stores, ``services.json``, pid
files, logs, the rules file) is created through these helpers. Folders are created 0700; files
0600 (from the start: there is no moment when another user could open them). A state file left
more open by an older version is tightened when it is opened again. Existing folders are left
as they are: the local services' folders must stay reachable by the unprivileged service user
(see ``deploy/runtime.py``).
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path
from typing import IO, Any

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
_SQLITE_SIDECARS = ("-wal", "-shm", "-journal")


def private_dir(path: str | os.PathLike[str]) -> Path:
    """Creates ``path`` and its missing parents as 0700 folders; existing folders are not changed."""
    path = Path(path)
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:  # created meanwhile by another process
            continue
        os.chmod(folder, PRIVATE_DIR)  # mkdir's mode is filtered by the umask; never looser than 0700
    return path


def tighten(path: str | os.PathLike[str]) -> None:
    """Makes an existing file of ours 0600 (a no-op when it is missing or belongs to someone else)."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return
    if info.st_mode & 0o777 != PRIVATE_FILE and info.st_uid == os.geteuid():
        os.chmod(path, PRIVATE_FILE)


def private_file(path: str | os.PathLike[str]) -> Path:
    """Makes sure ``path`` exists as a 0600 file (created empty when missing), in a 0700 folder."""
    path = Path(path)
    private_dir(path.parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
    except FileExistsError:
        tighten(path)
    return path


def open_private(path: str | os.PathLike[str], mode: str = "ab", **kwargs: Any) -> IO[Any]:
    """``open(path, mode)`` for a file that is created 0600 (log files, pid files)."""
    path = Path(path)
    private_dir(path.parent)
    flags = os.O_CREAT | (os.O_APPEND if "a" in mode else os.O_TRUNC if "w" in mode else 0)
    flags |= os.O_RDWR if "+" in mode else os.O_WRONLY
    fd = os.open(path, flags, PRIVATE_FILE)
    tighten(path)
    return os.fdopen(fd, mode, **kwargs)


def write_private_text(path: str | os.PathLike[str], text: str) -> None:
    """Writes ``text`` to ``path`` atomically (a 0600 temporary file renamed over it)."""
    path = Path(path)
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)  # mkstemp creates 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def connect_sqlite(path: str | os.PathLike[str], **kwargs: Any) -> sqlite3.Connection:
    """``sqlite3.connect`` on a 0600 database file in a 0700 folder.

    SQLite gives its ``-wal`` and ``-shm`` files the mode of the database file, so they are
    0600 too; older, looser ones are tightened here.
    """
    path = private_file(path)
    connection = sqlite3.connect(str(path), **kwargs)
    for suffix in _SQLITE_SIDECARS:
        tighten(f"{path}{suffix}")
    return connection
