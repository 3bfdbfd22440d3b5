"""What the browser tests share: Debian's Chromium and its arguments, the folder of screenshots, logging in, a click to sell time, what pdfinfo says of a PDF."""

from __future__ import annotations

import subprocess
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGUMENTS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


def log_in(page, name: str = "ada", pin: str = "1234") -> None:
    """Log in through the login page as ``name`` and wait for the seat board."""
    page.goto("/")
    page.fill("input[name=name]", name)
    page.fill("input[name=pin]", pin)
    page.click("button[type=submit]")
    page.wait_for_selector("#grid")


def start_package(page, seat: str, minutes: int) -> None:
    """Click a free seat, then a package of ``minutes``, and wait until the seat runs."""
    page.click(f'.seat[data-seat="{seat}"]')
    page.click(f'#dialog-free button[name=minutes][value="{minutes}"]')
    page.wait_for_selector(f'.seat[data-seat="{seat}"].running')


def pdf_info(path: Path) -> dict[str, str]:
    """What ``pdfinfo`` says of a PDF file, by field (``Pages``, ``Page size``...)."""
    said = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in said.splitlines())}
