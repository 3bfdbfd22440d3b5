"""What the browser tests share: Debian's Chromium and its arguments, the folder of screenshots, a click to sell time."""

from __future__ import annotations

from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGUMENTS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


def start_package(page, seat: str, minutes: int) -> None:
    """Click a free seat, then a package of ``minutes``, and wait until the seat runs."""
    page.click(f'.seat[data-seat="{seat}"]')
    page.click(f'#dialog-free button[name=minutes][value="{minutes}"]')
    page.wait_for_selector(f'.seat[data-seat="{seat}"].running')
