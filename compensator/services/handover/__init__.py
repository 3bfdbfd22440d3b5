"""Handing the apology over: the notices to hand over (``notices``), a customer's notices as one
letter (``letters``) and their receipts printed (``printing``).
"""
