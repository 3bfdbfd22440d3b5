"""The reports as pipelines: rows read → figures → formats.

The end-of-day report: the day's rows read in a fixed number of statements (``rows``,
``timeline_rows``, ``takings``), its figures built from them (``build``, into the records of
``data``), rendered (``formats``), archived at closing time (``archive``) and served again while
nothing it was built from changed (``ready``, ``stamp``). The owner's report of a period of days
(``period``) reads with the day's readers where they serve (the catalog, the outages, the
takings) and its own where a month's rows must be summed as they come; it and the evidence
(``evidence``) open with the same ``header.PeriodHeader``. The three reports' PDFs are drawn
on one page of fpdf2 (``formats.pdf_page``), and the day's and the period's formats are picked
by one ``formats.Renderers``.
"""
