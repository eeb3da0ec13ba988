"""Several application servers and background workers on one database, as child processes of one command.

`Cluster` starts N gunicorn servers on consecutive ports, M `run_jobs` and K `supervise` workers and the audit
chain's linker (`link_audit`), waits until every server's `/healthz` answers (so the database answers too), restarts
a member that dies, and stops them all. It is what `manage.py cluster` runs, and what the reliability suite
(bench/reliability) drives to kill members with SIGKILL. The members share nothing but the database and the media directory, like separate machines would.

Each member runs in its own session (process group): a terminal's Ctrl-C reaches only this command, which then
stops the members in order, and a SIGKILL of a server takes its gunicorn workers down with it, as a crash would.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

logger = logging.getLogger("govhall.cluster")

# The access log without the query string: GET /api/v1/progress?check_code=… must not put the code in it.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss'


class ClusterError(RuntimeError):
    """A member did not start or did not become healthy in time."""


@dataclass
class Member:
    name: str
    argv: list[str]
    port: int | None = None
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    log: IO[bytes] | None = field(default=None, repr=False)

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None


def health_host(allowed_hosts: Sequence[str]) -> str:
    """The Host header for probes: the first concrete allowed host (a wildcard or a domain pattern is no name)."""
    for host in allowed_hosts:
        if host and host != "*" and not host.startswith("."):
            return host
    return "localhost"


def probe(url: str, host: str, timeout: float = 2.0) -> bool:
    request = urllib.request.Request(url, headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


class Cluster:
    def __init__(
        self,
        *,
        servers: int,
        workers: int,
        watchers: int,
        linkers: int = 1,
        port: int = 8000,
        bind: str = "127.0.0.1",
        web_workers: int = 2,
        watcher_interval: float = 15.0,
        env: Mapping[str, str] | None = None,
        log_dir: Path | None = None,
        manage: Path | None = None,
        probe_host: str = "localhost",
    ) -> None:
        if servers < 1:
            raise ClusterError("至少需要一个应用服务器（--servers ≥ 1）")
        self.bind = bind
        self.env = dict(os.environ if env is None else env)
        self.log_dir = log_dir
        self.probe_host = probe_host
        python = sys.executable
        manage_py = str(manage or Path(__file__).resolve().parents[2] / "manage.py")
        self.members: list[Member] = []
        for n in range(servers):
            server_port = port + n
            argv = [
                python,
                "-m",
                "gunicorn",
                "govhall.wsgi:application",
                f"--bind={bind}:{server_port}",
                f"--workers={web_workers}",
                # A restarted server binds again at once even while a killed predecessor's workers still linger.
                "--reuse-port",
                # gunicorn's maximum request line: a long URL then reaches Django, whose 414 is in Chinese, instead of
                # gunicorn's bare English 400 at its 4094-byte default.
                "--limit-request-line=8190",
                "--graceful-timeout=20",
                "--access-logfile=-",
                f"--access-logformat={ACCESS_LOG_FORMAT}",
            ]
            self.members.append(Member(f"web-{n + 1}", argv, port=server_port))
        for n in range(workers):
            self.members.append(Member(f"jobs-{n + 1}", [python, manage_py, "run_jobs"]))
        for n in range(watchers):
            argv = [python, manage_py, "supervise", "--interval", f"{watcher_interval:g}"]
            self.members.append(Member(f"supervise-{n + 1}", argv))
        # The audit chain's linker (docs/audit.md): entries linked a fraction of a second after their action;
        # run_jobs links every round too, so a cluster without one still links, only later.
        for n in range(linkers):
            self.members.append(Member(f"link-{n + 1}", [python, manage_py, "link_audit"]))

    # --- members ---------------------------------------------------------------------------------------------

    def member(self, name: str) -> Member:
        for member in self.members:
            if member.name == name:
                return member
        raise KeyError(name)

    @property
    def servers(self) -> list[Member]:
        return [m for m in self.members if m.port is not None]

    def urls(self) -> list[str]:
        return [f"http://{self.bind}:{m.port}" for m in self.servers]

    def spawn(self, member: Member) -> None:
        out: IO[bytes] | int | None = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            if member.log is None:
                member.log = (self.log_dir / f"{member.name}.log").open("ab")
            out = member.log
        member.process = subprocess.Popen(
            member.argv,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
            start_new_session=True,
        )
        logger.info("cluster: %s started (pid %s)", member.name, member.process.pid)

    def wait_healthy(self, members: Sequence[Member] | None = None, timeout: float = 60.0) -> None:
        waiting = [m for m in (self.servers if members is None else members) if m.port is not None]
        deadline = time.monotonic() + timeout
        while waiting:
            for member in list(waiting):
                if not member.alive:
                    raise ClusterError(f"{member.name} 启动失败（退出码 {self._returncode(member)}）")
                if probe(f"http://{self.bind}:{member.port}/healthz", self.probe_host):
                    waiting.remove(member)
            if waiting and time.monotonic() > deadline:
                raise ClusterError("等待健康检查超时：" + "、".join(m.name for m in waiting))
            if waiting:
                time.sleep(0.2)

    def start(self, timeout: float = 60.0) -> None:
        try:
            for member in self.members:
                self.spawn(member)
            self.wait_healthy(timeout=timeout)
        except BaseException:
            self.stop()
            raise

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Signal the member's whole process group (a server's gunicorn workers too) and reap it."""
        member = self.member(name)
        if member.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(member.process.pid, sig)
        if sig == signal.SIGKILL:
            member.process.wait()

    def restart(self, name: str, timeout: float = 60.0) -> None:
        member = self.member(name)
        if member.alive:
            self.kill(name)
        member.restarts += 1
        self.spawn(member)
        self.wait_healthy([member], timeout=timeout)

    def restart_dead(self) -> list[str]:
        """Start again every member that exited on its own (the supervisor's job, as systemd's Restart= would)."""
        restarted = []
        for member in self.members:
            if member.process is not None and not member.alive:
                logger.warning(
                    "cluster: %s exited (code %s): restarting", member.name, self._returncode(member)
                )
                member.restarts += 1
                self.spawn(member)
                restarted.append(member.name)
        return restarted

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM to every member (servers finish their requests, workers their round), SIGKILL to stragglers."""
        for member in self.members:
            if member.alive and member.process is not None:
                member.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for member in self.members:
            if member.process is None:
                continue
            try:
                member.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.warning("cluster: %s did not stop in %ss: killed", member.name, timeout)
                self.kill(member.name)
            # Whatever is left in the group (a server's workers) goes with it.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(member.process.pid, signal.SIGKILL)
            if member.log is not None:
                member.log.close()
                member.log = None

    @staticmethod
    def _returncode(member: Member) -> int | None:
        return member.process.returncode if member.process is not None else None
