"""What the counter's screen reads: the seat board (``board``), today's figures (``today``), the
nearly-up alerts (``alerts``) and each package's price (``prices``).
"""
