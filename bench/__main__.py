"""Runs every benchmark in turn and prints their figures."""

from bench import dashboard, outage_close

outage_close.main()
dashboard.main()
