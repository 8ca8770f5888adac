"""What ``bench/peak.py`` needs of processes: the Procfile's lines, starting and stopping
them, and their CPU and memory read from /proc (psutil is not installed).
"""

from __future__ import annotations

import contextlib
import os
import re
import resource
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
_VARIABLE = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)")


def read_procfile(path: Path) -> dict[str, str]:
    """The Procfile's lines, name → command, in order."""
    lines = {}
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, command = line.partition(":")
        lines[name.strip()] = command.strip()
    return lines


def expand(command: str, env: dict[str, str]) -> str:
    """``${NAME:-default}``, ``${NAME}`` and ``$NAME`` as a shell expands them (for the report;
    the commands themselves run through ``sh -c``)."""

    def value(match: re.Match) -> str:
        name = match.group(1) or match.group(3)
        current = env.get(name, "")
        if match.group(1) and match.group(2) is not None and not current:
            return match.group(2)
        return current

    return _VARIABLE.sub(value, command)


def scaled(command: str, number: int) -> str:
    """The n-th process of a line (n ≥ 2) needs a node name of its own (README: -n publishing2@%h)."""
    if number == 1:
        return command
    return re.sub(r"(-n\s+)([\w.-]+)@", lambda m: f"{m.group(1)}{m.group(2)}{number}@", command)


@dataclass
class Line:
    """One running process of a Procfile line, in a process group of its own."""

    name: str
    command: str
    process: subprocess.Popen
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid


def start_line(name: str, command: str, *, env: dict, cwd: Path, log: Path) -> Line:
    handle = log.open("w")
    process = subprocess.Popen(
        # "exec env": a line may start with VAR=value; one process, its pid the line's.
        ["/bin/sh", "-c", f"exec env {command}"],
        cwd=cwd,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped as one, prefork children too
    )
    handle.close()
    return Line(name=name, command=command, process=process, log=log)


def stop_groups(processes: list[subprocess.Popen], *, grace: float = 20.0) -> None:
    """SIGTERM each process group (a warm shutdown for Celery), then SIGKILL what is left."""
    for process in processes:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
    for process in processes:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # children left behind by the group too
        if process.poll() is None:
            process.wait(timeout=10)


def node_name(command: str) -> str | None:
    """The worker's node name (``-n publishing@%h``), with the host filled in as Celery does."""
    match = re.search(r"-n\s+(\S+)", command)
    return match.group(1).replace("%h", socket.gethostname()) if match else None


def answers_ping(line: Line, *, env: dict, cwd: Path) -> bool:
    """A worker logging above INFO never says "ready.": ask it over the broker instead."""
    node = node_name(line.command)
    if node is None:
        return False
    answer = subprocess.run(
        ["celery", "-A", "dealer_media", "inspect", "ping", "-d", node, "-t", "2"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return answer.returncode == 0 and "pong" in answer.stdout


def wait_ready(lines: list[Line], *, timeout: float, env: dict, cwd: Path) -> None:
    """Until every worker's log says "ready." (or, logging above INFO, it answers a ping) and
    beat's says "Starting"; a line that stops fails."""
    deadline = time.monotonic() + timeout
    waiting = {line.name: line for line in lines}
    next_ping = time.monotonic() + 5.0
    while waiting:
        for name, line in list(waiting.items()):
            text = line.log.read_text(errors="replace")
            if line.process.poll() is not None:
                raise SystemExit(f"{name} stopped at once; see {line.log}.")
            if " ready." in text or (name.startswith("beat") and "beat: Starting" in text):
                del waiting[name]
        silent = [line for line in waiting.values() if "--loglevel=INFO" not in line.command]
        if silent and time.monotonic() >= next_ping:
            for line in silent:
                if answers_ping(line, env=env, cwd=cwd):
                    del waiting[line.name]
            next_ping = time.monotonic() + 2.0
        if time.monotonic() > deadline:
            where = lines[0].log.parent if lines else "."
            raise SystemExit(f"Not ready within {timeout:.0f} s: {', '.join(waiting)} ({where}).")
        time.sleep(0.2)


# --- /proc ---------------------------------------------------------------------------


@dataclass
class Stat:
    pid: int
    ppid: int
    cpu: float  # own user+sys, and that of children it reaped (cutime+cstime), seconds
    rss: int  # bytes
    comm: str = ""


def _stat(pid: int) -> Stat | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    # fields[0] is state (field 3 of proc(5)): ppid 4, utime 14, stime 15, cutime 16,
    # cstime 17, rss 24.
    ticks = sum(int(value) for value in fields[11:15])
    comm = raw[raw.index("(") + 1 : raw.rindex(")")]
    return Stat(
        pid=pid, ppid=int(fields[1]), cpu=ticks / TICKS, rss=int(fields[21]) * PAGE, comm=comm
    )


def all_stats() -> dict[int, Stat]:
    stats = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))) is not None:
            stats[stat.pid] = stat
    return stats


def tree(root: int, stats: dict[int, Stat]) -> list[Stat]:
    """The root and its live descendants."""
    children: dict[int, list[int]] = {}
    for stat in stats.values():
        children.setdefault(stat.ppid, []).append(stat.pid)
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        if pid in stats:
            found.append(stats[pid])
            todo.extend(children.get(pid, []))
    return found


@dataclass
class Usage:
    """CPU seconds and resident memory of a group of process trees at one instant."""

    cpu: float = 0.0
    rss: int = 0
    pss: int = 0  # proportional: pages shared by prefork children counted once overall
    processes: int = 0
    per_root: dict[str, float] = field(default_factory=dict)


def pss(pid: int) -> int:
    """Proportional set size in bytes (/proc/PID/smaps_rollup), 0 when it is gone."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def usage(roots: dict[str, int], stats: dict[int, Stat], *, memory: bool = False) -> Usage:
    """Each tree's CPU counts its live processes and what they reaped: nothing is lost when
    a prefork child or an ffmpeg ends, as long as its parent waited for it. ``memory``:
    also the PSS (a walk of each process's pages, so only for our own few)."""
    total = Usage()
    for name, root in roots.items():
        members = tree(root, stats)
        cpu = sum(stat.cpu for stat in members)
        total.cpu += cpu
        total.rss += sum(stat.rss for stat in members)
        if memory:
            total.pss += sum(pss(stat.pid) for stat in members)
        total.processes += len(members)
        total.per_root[name] = cpu
    return total


def pids_named(name: str, stats: dict[int, Stat]) -> list[int]:
    """Processes whose executable's name is ``name`` (postgres, redis-server)."""
    return [stat.pid for stat in stats.values() if stat.comm == name]


def snapshot(roots: dict[str, int], *, fake_pid: int) -> dict:
    """CPU and memory now: our lines (by line), PostgreSQL's and Redis's servers when they run
    on this machine (every database's backends), the fake, and this process."""
    stats = all_stats()
    ours = usage(roots, stats, memory=True)
    postgres = usage({str(p): p for p in pids_named("postgres", stats)}, stats)
    redis_server = usage({str(p): p for p in pids_named("redis-server", stats)}, stats)
    fake = usage({"fake": fake_pid}, stats)
    me = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "time": time.time(),
        "cpu": ours.cpu,
        "cpu_by_line": ours.per_root,
        "rss": ours.rss,
        "pss": ours.pss,
        "rss_by_line": {
            name: sum(stat.rss for stat in tree(root, stats)) for name, root in roots.items()
        },
        "processes": ours.processes,
        "postgres_cpu": postgres.cpu,
        "redis_cpu": redis_server.cpu,
        "fake_cpu": fake.cpu,
        "bench_cpu": me.ru_utime + me.ru_stime,
    }
