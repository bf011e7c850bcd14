"""Helpers for the Flink tests and benchmark: a streaming run on the local cluster, and process and
socket inspection (Linux /proc, no extra tools)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from deploy.runtime import listening_sockets
from tests.helpers import ROOT, cli_command


def start_flink_run(env: dict, parallelism: int, idle_exit_seconds: float, *extra: str) -> subprocess.Popen:
    """Starts ``peacewatch run --streaming --runner FlinkRunner`` on the local cluster.

    Args:
        env: the run's whole environment (the cluster's, with the prefix of the test or bench).
        parallelism: the job's parallelism.
        idle_exit_seconds: the run cancels the job and exits after this long without articles.
        extra: more options of ``peacewatch run``.

    Returns:
        The running command; its output (stderr merged, progress every 5 s) on ``stdout``.
    """
    args = ["--parallelism", str(parallelism), "--idle-exit-seconds", f"{idle_exit_seconds:g}"]
    return subprocess.Popen(
        cli_command("run", "--streaming", "--runner", "FlinkRunner", *args, "--progress-seconds", "5", *extra),
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def all_pids() -> list[int]:
    return [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]


def descendants(pid: int) -> list[int]:
    parents = {}
    for child in all_pids():
        try:
            parents[child] = int(Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    out, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        for child, parent in parents.items():
            if parent == current:
                out.append(child)
                frontier.append(child)
    return out


def processes_mentioning(text: str) -> list[int]:
    """Live processes whose command line contains ``text`` (not this one)."""
    return [pid for pid in all_pids() if pid != os.getpid() and text in cmdline(pid) and alive(pid)]


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    try:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        pass
    return inodes


def listening(pid: int) -> list[str]:
    """``ip:port`` of every TCP socket ``pid`` listens on."""
    inodes = _socket_inodes(pid)
    return [f"{ip}:{port}" for ip, port, inode in listening_sockets() if inode in inodes]


def is_loopback(address: str) -> bool:
    host = address.rsplit(":", 1)[0]
    return host.startswith("127.") or host in ("::1", "::ffff:127.0.0.1") or host.startswith("::ffff:127.")
