"""The build step pyproject.toml cannot say: compile the pages' message catalogues (.po → .mo).

Everything else about the package is in pyproject.toml. Building a wheel and ``pip install -e .``
both run ``build_py``, which compiles each ``web/translations/*/LC_MESSAGES/messages.po`` beside
itself first, so the package data (and an editable install's source tree) holds the ``.mo``.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


def _catalogues():
    # Loaded by path: importing the ``web`` package would import Flask, which a build does not have.
    spec = importlib.util.spec_from_file_location("compensator_catalogues", HERE / "web" / "catalogues.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class BuildWithCatalogues(build_py):
    """``build_py`` that compiles the message catalogues before it collects the package data."""

    def run(self) -> None:
        """Compile every ``.po`` into its ``.mo``, then build as usual."""
        catalogues = _catalogues()
        for source in catalogues.sources():
            catalogues.compile_catalogue(source)
        super().run()


setup(cmdclass={"build_py": BuildWithCatalogues})
