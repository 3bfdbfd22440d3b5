"""The owner's period report (a week, a month, any run of venue days), read as the day's report is:
rows read (``rows``, and the day's readers of ``compensator.report.rows`` and ``.takings``) →
figures (``power``, ``owed``, ``care``, ``findings``, put together by ``build``, into the records of
``data``) → formats (``formats``).
"""
