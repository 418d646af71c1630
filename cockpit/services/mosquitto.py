"""A local Mosquitto broker for the live feed, started by the project itself.

    with LocalBroker() as broker:          # 127.0.0.1, a free port
        broker.port
        broker.stop(); broker.start()      # a clean restart (keeps its persistence file)
        broker.kill()                      # a crash (SIGKILL)

Debian's ``mosquitto`` package (installed by ``scripts/bootstrap.sh``) provides the binary;
apt cannot start services on these machines, so the binary runs as our child with a config
this module writes under the user's runtime directory (``$XDG_RUNTIME_DIR/cockpit-mqtt-<port>``,
else a temporary directory): loopback only, anonymous clients (nobody else can reach it).

Mosquitto's defaults lose data silently, so the config changes them:

- ``max_queued_messages 0`` (no limit; the default 1000 drops whatever a subscriber falls
  behind by, even while connected) and ``max_queued_bytes 0``;
- ``max_inflight_messages 0``: the subscriber acknowledges in batches after each commit;
- ``persistence true`` with ``autosave_interval 1``: the in-memory state (retained and queued
  messages, persistent sessions) is written to ``mosquitto.db`` every second (the default is
  every 30 minutes). A crash of the broker (SIGKILL, power loss) can still lose the messages
  it accepted during the last second before the crash that were not yet delivered and
  acknowledged by the intake; a clean stop (SIGTERM) saves everything.
- ``persistent_client_expiration 7d``: a subscriber away for a week loses its session.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

__all__ = ["LocalBroker", "BrokerUnavailable", "find_mosquitto", "broker_config"]


#: The broker's watchdog ($1 the cockpit's pid, $2 the broker's, $3 a folder to remove or "").
#: A process counts as ended once it is a zombie: nobody may reap it (a killed cockpit's parent
#: may be slow to; the orphaned broker's new parent is whatever the machine's init is).
_WATCHDOG = """
alive() {
  s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  case "$s" in *") Z "*|*") X "*) return 1;; esac
}
while alive "$1" && alive "$2"; do sleep 1; done
alive "$1" && exit 0
kill -TERM "$2" 2>/dev/null
i=0
while alive "$2" && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
[ -n "$3" ] && rm -rf "$3"
exit 0
"""


class BrokerUnavailable(RuntimeError):
    """Mosquitto is not installed, or it did not start."""


def find_mosquitto() -> Path:
    """The ``mosquitto`` binary (PATH, /usr/sbin, or ``COCKPIT_MOSQUITTO``)."""
    for cand in (os.environ.get("COCKPIT_MOSQUITTO"), shutil.which("mosquitto"),
                 "/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto"):
        if cand and Path(cand).is_file() and os.access(cand, os.X_OK):
            return Path(cand)
    raise BrokerUnavailable(
        "Mosquitto 未安装 · Mosquitto is not installed: run scripts/bootstrap.sh "
        "(apt-get install mosquitto)")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def broker_config(port: int, folder: Path) -> str:
    """The config text (see the module doc for why each line is there)."""
    return "\n".join([
        "# written by cockpit/services/mosquitto.py",
        f"listener {port} 127.0.0.1",
        # started as root, mosquitto would drop to the `mosquitto` user, which cannot write
        # its persistence file and log into our private folder: stay who we are
        *(["user root"] if os.geteuid() == 0 else []),
        "allow_anonymous true",
        "persistence true",
        f"persistence_location {folder}/",
        "persistence_file mosquitto.db",
        "autosave_interval 1",
        "autosave_on_changes false",
        "max_queued_messages 0",
        "max_queued_bytes 0",
        "max_inflight_messages 0",
        "persistent_client_expiration 7d",
        "message_size_limit 1048576",
        "set_tcp_nodelay true",
        f"log_dest file {folder}/mosquitto.log",
        "log_type error",
        "log_type warning",
        "log_type notice",
        "",
    ])


def runtime_base() -> Path:
    """The user's runtime directory (``XDG_RUNTIME_DIR``), else the temporary directory."""
    rt = os.environ.get("XDG_RUNTIME_DIR")
    if rt and Path(rt).is_dir() and os.access(rt, os.W_OK):
        return Path(rt)
    return Path(tempfile.gettempdir())


class LocalBroker:
    """A Mosquitto broker on 127.0.0.1 (see the module doc). ``port`` 0: a free one."""

    def __init__(self, port: int = 0, folder: Path | None = None) -> None:
        self.binary = find_mosquitto()
        self.port = port or _free_port()
        self._own_folder = folder is None
        self.folder = Path(folder) if folder else Path(tempfile.mkdtemp(
            prefix=f"cockpit-mqtt-{self.port}-", dir=runtime_base()))
        self.folder.mkdir(parents=True, exist_ok=True)
        self.conf = self.folder / "mosquitto.conf"
        self.conf.write_text(broker_config(self.port, self.folder), "utf-8")
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> LocalBroker:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self, timeout: float = 10.0) -> None:
        """Start the broker and wait until it accepts connections."""
        if self.running:
            return
        self.proc = subprocess.Popen([str(self.binary), "-c", str(self.conf)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True)
        self._watch()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._unwatch()
                raise BrokerUnavailable(f"mosquitto exited with {self.proc.returncode}: "
                                        f"{self.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise BrokerUnavailable(f"mosquitto did not listen on port {self.port}: "
                                f"{self.log_tail()}")

    def _watch(self) -> None:
        """A watchdog in its own session: when this process dies without stopping the broker
        (kill -9, a crash), it stops the broker (SIGTERM) within a second and removes the
        folder this object made; when the broker stops first, it just ends. (The broker is
        started from a thread that ends, so the kernel's parent-death signal cannot do it.)"""
        self._watchdog = subprocess.Popen(
            ["/bin/sh", "-c", _WATCHDOG, "cockpit-broker-watchdog", str(os.getpid()),
             str(self.proc.pid), str(self.folder) if self._own_folder else ""],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)

    def _unwatch(self) -> None:
        """The broker was stopped here: its watchdog has nothing left to do (ended at once,
        rather than at its next look a second later)."""
        dog, self._watchdog = getattr(self, "_watchdog", None), None
        if dog is not None:
            if dog.poll() is None:
                dog.kill()
            dog.wait()

    def stop(self, timeout: float = 10.0) -> None:
        """A clean stop (SIGTERM: the broker saves its state)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        self._unwatch()

    def kill(self) -> None:
        """A crash (SIGKILL)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
        self._unwatch()

    def close(self) -> None:
        """Stop and remove the folder this object made."""
        self.stop()
        if self._own_folder:
            shutil.rmtree(self.folder, ignore_errors=True)

    def log_tail(self, n: int = 2000) -> str:
        try:
            return (self.folder / "mosquitto.log").read_text("utf-8", "replace")[-n:]
        except OSError:
            return ""
