"""``config.yaml`` as pydantic models: one per section (``venue``, ``sections``, ``printer``, ``ups``), the whole
file in ``document``, the value types and their plain messages in ``fields``, and the translation of
pydantic's errors into key paths and words in ``problems``.

``compensator.config`` reads the file and turns these models into the frozen settings of
``compensator.settings``; nothing else imports pydantic for the configuration.
"""
