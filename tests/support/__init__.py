"""What the tests share besides fixtures: the stories of known days, the random worlds, the crash load, a NUT server."""
