"""A real NUT ``upsd`` with the ``dummy-ups`` driver, run from a config folder of the test's own.

No systemd and no system config: ``NUT_CONFPATH`` and ``NUT_STATEPATH`` point at a temporary
folder holding ``ups.conf`` (one UPS on ``dummy-ups`` reading ``NAME.dev``), ``upsd.conf``
(listening on a free port of 127.0.0.1) and ``upsd.users``. Both daemons run in the foreground
as children of the test, so that stopping ``upsd`` mid-cut is one ``terminate()``. Rewriting
the ``.dev`` file changes ``ups.status`` within a second or two.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

from compensator.adapters.nut import GuardedClient

NUT_BINARIES = Path("/lib/nut")
DRIVER = NUT_BINARIES / "dummy-ups"
UPSD = NUT_BINARIES / "upsd"
USERNAME = "monitor"
PASSWORD = "secret"
STARTUP_SECONDS = 15


def nut_available() -> bool:
    """Whether Debian's nut-server and nut-client are installed."""
    return DRIVER.exists() and UPSD.exists() and shutil.which("upsc") is not None


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class NutServer:
    """One dummy UPS served by ``upsd`` on 127.0.0.1, its status set by rewriting its ``.dev`` file."""

    def __init__(self, folder: Path, name: str = "venue") -> None:
        self.folder = folder
        self.name = name
        self.port = free_port()
        self.state = folder / "state"
        self.state.mkdir(mode=0o700, parents=True)
        # The modification time of the .dev file last written: dummy-ups compares whole seconds.
        self._written_at = 0.0
        # The driver looks for changes every pollinterval seconds: one keeps the flips quick.
        (folder / "ups.conf").write_text(f"pollinterval = 1\n[{name}]\n  driver = dummy-ups\n  port = {name}.dev\n"
                                         f'  desc = "test UPS"\n')
        (folder / "upsd.conf").write_text(f"LISTEN 127.0.0.1 {self.port}\n")
        (folder / "upsd.users").write_text(f"[{USERNAME}]\n  password = {PASSWORD}\n  upsmon primary\n")
        for config in ("ups.conf", "upsd.conf", "upsd.users"):
            (folder / config).chmod(0o600)
        self.set_status("OL")
        self.environ = {**os.environ, "NUT_CONFPATH": str(folder), "NUT_STATEPATH": str(self.state)}
        self._driver: subprocess.Popen[bytes] | None = None
        self._upsd: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the driver, then ``upsd``, and wait until ``upsc`` reads a real status (not WAIT)."""
        self._driver = self._spawn(DRIVER, "-a", self.name, "-u", "root", "-F", log="driver.log")
        self.start_upsd()

    def start_upsd(self) -> None:
        """Start ``upsd`` (again) and wait until it serves the UPS's status."""
        self._upsd = self._spawn(UPSD, "-u", "root", "-F", log="upsd.log")
        deadline = time.monotonic() + STARTUP_SECONDS
        while self.upsc_status() in (None, "WAIT"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"upsd did not serve {self.name}: " + self.logs())
            time.sleep(0.1)

    def stop_upsd(self) -> None:
        """Stop ``upsd``; the driver keeps running."""
        self._stop(self._upsd)
        self._upsd = None

    def stop(self) -> None:
        """Stop both daemons."""
        self.stop_upsd()
        self._stop(self._driver)
        self._driver = None

    def set_status(self, status: str, charge: int = 100, *, runtime: int | None = None,
                   load: int | None = None) -> None:
        """Rewrite the driver's ``.dev`` file, at once (written aside and renamed): the status, the battery's
        charge, and its runtime (seconds) and the load (percent) when given."""
        partial = self.folder / f"{self.name}.dev.partial"
        extra = "".join(f"{name}: {value}\n" for name, value in (("battery.runtime", runtime), ("ups.load", load))
                        if value is not None)
        partial.write_text(f"ups.status: {status}\nbattery.charge: {charge}\n{extra}")
        # dummy-ups reads the file again only when its modification time, in whole seconds, changed: two
        # writes within one second would leave the second unread, so each is dated a second after the last.
        self._written_at = max(float(int(time.time())), self._written_at + 1)
        os.utime(partial, (self._written_at, self._written_at))
        partial.replace(self.folder / f"{self.name}.dev")

    def upsc_status(self) -> str | None:
        """``ups.status`` as ``upsc`` answers it, or None when upsd does not answer."""
        answer = subprocess.run(["upsc", f"{self.name}@127.0.0.1:{self.port}", "ups.status"], capture_output=True,
                                text=True, timeout=10, env=self.environ, check=False)
        return answer.stdout.strip() if answer.returncode == 0 else None

    def wait_for_status(self, wanted: str, timeout: float = 10) -> float:
        """Wait until upsd serves ``wanted``; the ``time.time()`` it was first seen, probing every 50 ms."""
        deadline = time.monotonic() + timeout
        client = GuardedClient(host="127.0.0.1", port=self.port, timeout=2)
        try:
            while time.monotonic() < deadline:
                if client.GetUPSVars(self.name).get(b"ups.status", b"").decode() == wanted:
                    return time.time()
                time.sleep(0.05)
        finally:
            client.close()
        raise AssertionError(f"upsd never served {wanted!r}")

    def logs(self) -> str:
        """The daemons' output so far, for a failure message."""
        return " | ".join(path.read_text(errors="replace") for path in sorted(self.folder.glob("*.log")))

    def _spawn(self, binary: Path, *args: str, log: str) -> subprocess.Popen[bytes]:
        with open(self.folder / log, "ab") as output:
            return subprocess.Popen([str(binary), *args], env=self.environ, stdout=output, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL)

    @staticmethod
    def _stop(process: subprocess.Popen[bytes] | None) -> None:
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
