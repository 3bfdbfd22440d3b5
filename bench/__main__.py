"""Runs every benchmark in turn and prints their figures; exits 1 when the crash run finds a broken invariant."""

from bench import crash, dashboard, heartbeats, mixed_load, outage_close, period, report, startup, whatif

outage_close.main()
dashboard.main()
heartbeats.main()
mixed_load.main([])
startup.main()
# The report's busy day is built once (a quarter of an hour) and then reused from the temporary directory.
report.main([])
# The month of the period report is that day copied 31 times (once, a quarter of a minute), then reused.
period.main([])
# The what-if over that month (a bigger UPS in the standard zone): a few minutes.
whatif.main([])
# The long crash run (100 SIGKILLs, a few minutes); ``python -m bench.crash`` runs it alone.
raise SystemExit(crash.main([]))
