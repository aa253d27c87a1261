"""gunicorn as production runs it, for the tests and drills: the repository's config on a free loopback port.

Ports come from DRILL_PORTS (default 19000-19999). Worker processes are found through /proc (Linux).
"""

from __future__ import annotations

import glob
import http.client
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_CONF = ROOT / "gunicorn.conf.py"
# The repository's gunicorn.conf.py as it is, plus one hook: each worker, once it has loaded the app,
# leaves a mark, so "serving" means every worker takes requests and a drill's killer aims at workers
# that can be holding one (a worker still importing the app holds none). With preload, the app is
# loaded once in the arbiter and a new worker takes requests within milliseconds of the fork; without
# it, each new worker imports the app itself (about a second on an idle core, several on a busy
# machine), and a kill every half second can leave no worker serving at all.
_CONF = """\
import os as _os
_repo_conf = {repo_conf!r}
with open(_repo_conf) as _handle:
    exec(compile(_handle.read(), _repo_conf, "exec"))
_repo_post_worker_init = globals().get("post_worker_init")
if {preload!r}:
    preload_app = True


def post_worker_init(worker):
    if _repo_post_worker_init is not None:
        _repo_post_worker_init(worker)
    open(_os.path.join({ready_dir!r}, str(_os.getpid())), "w").close()
"""


def port_range() -> tuple[int, int]:
    low, _, high = os.environ.get("DRILL_PORTS", "19000-19999").partition("-")
    return int(low), int(high)


def free_port() -> int:
    """A TCP port in DRILL_PORTS that nothing listens on right now."""
    low, high = port_range()
    candidates = list(range(low, high + 1))
    random.shuffle(candidates)
    for port in candidates:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {low}-{high}")


def request(host: str, port: int, method: str, path: str, body: bytes | None = None,
            headers: dict | None = None, timeout: float = 30) -> tuple[int, dict, str]:
    """One request on a connection of its own (gunicorn's sync workers close it after each response)."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        return response.status, {"set-cookie": response.headers.get_all("Set-Cookie") or []}, text
    finally:
        connection.close()


def child_pids(parent: int) -> list[int]:
    """The live children of a process, read from /proc."""
    children = []
    for stat_file in glob.glob("/proc/[0-9]*/stat"):
        try:
            with open(stat_file) as handle:
                stat = handle.read()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: the fields after the last ')' are fixed.
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[1]) == parent:
            children.append(int(stat_file.split("/")[2]))
    return children


class Gunicorn:
    """gunicorn with the repository's config and this env, on 127.0.0.1:port; its output goes to log_path."""

    def __init__(self, env: Mapping[str, str], log_path: Path, workers: int = 2, port: int = 0,
                 preload: bool = False, cwd: Path = ROOT) -> None:
        self.env = dict(env)
        self.log_path = log_path
        self.workers = workers
        self.preload = preload
        self.cwd = cwd
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None
        self.kills = 0
        self.ready_dir = log_path.parent / f"ready-{self.port}"
        self.config_path = log_path.parent / f"gunicorn-{self.port}.conf.py"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> Gunicorn:
        """Start it and wait until / answers 200 and every worker has loaded the app."""
        env = {**self.env, "GUNICORN_BIND": f"127.0.0.1:{self.port}", "GUNICORN_WORKERS": str(self.workers)}
        self.ready_dir.mkdir(exist_ok=True)
        self.config_path.write_text(_CONF.format(repo_conf=str(GUNICORN_CONF), ready_dir=str(self.ready_dir),
                                                 preload=self.preload))
        with open(self.log_path, "ab") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", str(self.config_path)],
                                            cwd=self.cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                status, _, _ = request("127.0.0.1", self.port, "GET", "/", timeout=5)
                if status == 200 and len(self.ready_workers()) == self.workers:
                    return self
            except (OSError, http.client.HTTPException):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s:\n{self.log_tail()}")
            time.sleep(0.2)

    def worker_pids(self) -> list[int]:
        return child_pids(self.process.pid) if self.process else []

    def ready_workers(self) -> list[int]:
        """Workers that have loaded the app and take requests."""
        return [pid for pid in self.worker_pids() if (self.ready_dir / str(pid)).exists()]

    def kill_a_worker(self) -> int | None:
        """SIGKILL one worker that has loaded the app, chosen at random; gunicorn's master starts a new one."""
        pids = self.ready_workers()
        if not pids:
            return None
        pid = random.choice(pids)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            return None
        self.kills += 1
        return pid

    def kill_every_worker(self) -> int:
        killed = 0
        for pid in self.worker_pids():
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
        self.kills += killed
        return killed

    def wait_for_workers(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.ready_workers()) < self.workers:
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not restart its workers")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop it gracefully (SIGTERM), then by force if a worker does not finish within 5 s."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            # A worker caught half-booted by the drill can sit out the graceful timeout: don't wait for it.
            for pid in self.worker_pids():
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.process.kill()
            self.process.wait(timeout=10)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_text().splitlines()[-lines:])
        except OSError:
            return ""

    def __enter__(self) -> Gunicorn:
        return self.start()

    def __exit__(self, *_exc) -> None:
        self.stop()
