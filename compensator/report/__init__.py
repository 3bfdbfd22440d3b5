"""The end-of-day report as a pipeline: the day's rows read in a fixed number of statements
(``rows``, ``timeline_rows``, ``takings``), its figures built from them (``build``, into the records
of ``data``), rendered (``formats``), archived at closing time (``archive``) and served again while
nothing it was built from changed (``ready``, ``stamp``).
"""
