"""System tests: whole programs and real servers (browser, NUT's upsd, the crash test), fuzzing and random worlds."""
