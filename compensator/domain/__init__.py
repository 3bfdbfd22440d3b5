"""The pure domain core: plain data in, plain data out, no database, web or scheduler imports."""
