"""Seat sessions: starting and changing them (``use_cases``), correcting a mistaken sale
(``corrections``), redeeming vouchers (``vouchers``), and reading them with their balances (``views``).
"""
