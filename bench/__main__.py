"""Runs every benchmark in turn and prints their figures."""

from bench import outage_close

outage_close.main()
