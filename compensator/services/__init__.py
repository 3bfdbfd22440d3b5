"""The service layer: one short function per use case, each running in a unit of work.

Views, CLI commands and scheduled jobs all call these same functions. Each gathers its inputs
through the store, calls the pure core, writes the results and commits.
"""
