"""Apology notices: their wording in each language (``wording``), one notice composed for one
compensation (``compose``), and one letter for the notices a customer takes home together (``letters``)."""
