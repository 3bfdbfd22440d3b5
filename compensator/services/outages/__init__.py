"""Outages from start to settlement: the use cases (``use_cases``), their scope (``scopes``), the
compensations computed and written (``settlement``), their credits, vouchers and notices
(``credits``), and the read side (``views``).
"""
