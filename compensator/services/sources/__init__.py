"""The outage sources that record themselves (SPEC §4): the UPS through NUT (``ups``), seat
heartbeats (``heartbeats``) and their silences (``detection``), and the server's own gaps
(``server_gap``).
"""
