"""The service layer: one short function per use case, each running in a unit of work, by feature.

Views, CLI commands and scheduled jobs all call these same functions. Each gathers its inputs
through the store, calls the pure core, writes the results and commits. ``sessions``,
``outages``, ``sources``, ``handover``, ``people`` and ``counter`` are the features; ``once``
(exactly once per idempotency key), ``parsing`` (input checks), ``audit``, ``catalog`` (zones and
seats kept in step with the configuration), ``actions`` (the named actions' table) and
``backups`` serve them all.
"""
