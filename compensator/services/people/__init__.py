"""The people who use the counter and the devices that call it: attendants and API tokens
(``accounts``), and the login throttle (``throttle``).
"""
