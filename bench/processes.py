"""The processes of a benchmark run: servers started and always stopped, their workers' memory
sampled from /proc, commands run with a time limit."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

STEADY_SECONDS = 3.0


class BenchError(Exception):
    """A run cannot go on; the message says why and what to do."""


def run(command: Sequence[str], *, env: Mapping[str, str], timeout: float, what: str) -> str:
    """Run a command to its end; its standard output, or BenchError with its last words."""
    try:
        done = subprocess.run(  # noqa: S603 - our own commands
            list(command), env=dict(env), capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        raise BenchError(f"{what}: no answer after {timeout:.0f} s") from None
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise BenchError(f"{what} failed (exit {done.returncode}):\n{tail}")
    return done.stdout


def port_free(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


@dataclass
class Server:
    """A server started in its own process group, so that stopping it stops its workers."""

    name: str
    command: list[str]
    env: dict[str, str]
    port: int
    ready_path: str
    log: Path
    workers_expected: int
    process: subprocess.Popen[bytes] | None = None

    def start(self, *, timeout: float = 90.0) -> None:
        if not port_free(self.port):
            raise BenchError(
                f"{self.name}: port {self.port} is taken; set another with the environment "
                "(see bench/README.md)"
            )
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own commands
                self.command,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.port}{self.ready_path}"
        # Ready when it answers and its workers have all been there for a while: under load
        # uvicorn may kill and restart a worker that starts slowly.
        steady: tuple[list[int], float] | None = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"{self.name} exited at start:\n{self.log_tail()}")
            pids = self.workers()
            if len(pids) < self.workers_expected or not self._answers(url):
                steady = None
            elif steady is None or steady[0] != pids:
                steady = (pids, time.monotonic())
            elif time.monotonic() - steady[1] >= STEADY_SECONDS:
                return
            time.sleep(0.3)
        raise BenchError(f"{self.name} not ready after {timeout:.0f} s:\n{self.log_tail()}")

    @staticmethod
    def _answers(url: str) -> bool:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - local URL
                return bool(answer.status == 200)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def workers(self) -> list[int]:
        """The worker processes (children of the supervisor) serving requests."""
        if self.process is None:
            return []
        return [pid for pid in _children(self.process.pid) if "resource_tracker" not in _cmd(pid)]

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        _stop_group(self.process)

    def log_tail(self, lines: int = 20) -> str:
        return _tail(self.log, lines)


@dataclass
class Job:
    """A command run in the background in its own process group, awaited later."""

    what: str
    command: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 - our own commands
                self.command,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def wait(self, *, timeout: float) -> str:
        """Its output once it ends; BenchError if it fails or outlasts `timeout`."""
        assert self.process is not None
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise BenchError(f"{self.what}: not done after {timeout:.0f} s") from None
        if code != 0:
            raise BenchError(f"{self.what} failed (exit {code}):\n{_tail(self.log, 15)}")
        return self.log.read_text(errors="replace")

    def stop(self) -> None:
        _stop_group(self.process)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 20) -> str:
        return _tail(self.log, lines)


def _stop_group(process: subprocess.Popen[bytes] | None) -> None:
    """SIGTERM to the process's whole group, SIGKILL to what is left after 15 s."""
    if process is None:
        return
    group = process.pid  # its own session and group: start_new_session
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=15)
    # Workers that outlived their supervisor are still in the group.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)
    process.wait(timeout=5)


def _tail(path: Path, lines: int) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.strip().splitlines()[-lines:])


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command may hold spaces and parentheses: the fields follow the last ')'.
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def _cmd(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _memory_kb(pid: int) -> tuple[int, int] | None:
    """VmRSS and VmHWM (peak) of a process, in kB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    values = {}
    for line in status.splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0])
    if len(values) != 2:
        return None
    return values["VmRSS"], values["VmHWM"]


@dataclass
class MemorySampler:
    """Samples the workers' resident memory every `interval` seconds while a load runs."""

    server: Server
    interval: float = 0.25
    peak_rss_kb: dict[int, int] = field(default_factory=dict)
    hwm_kb: dict[int, int] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> MemorySampler:
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._take()

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self._take()

    def _take(self) -> None:
        for pid in self.server.workers():
            memory = _memory_kb(pid)
            if memory is None:
                continue
            rss, hwm = memory
            self.peak_rss_kb[pid] = max(self.peak_rss_kb.get(pid, 0), rss)
            self.hwm_kb[pid] = max(self.hwm_kb.get(pid, 0), hwm)
