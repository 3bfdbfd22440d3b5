"""Allows ``python -m web`` as a synonym for the ``compensator`` command."""

from web.cli import main

raise SystemExit(main())
