"""What the tests share besides fixtures: the known and golden days, the random world, the crash load, a NUT server,
logging in through the form, the browser's settings, and the small helpers two tiers need alike."""
