"""The webhook write engine: verified deliveries stored by group commit, each with its own rules.

- ``kind``: what a delivery is to the engine (:class:`Ingestion`, the one protocol its kind
  follows) and the receipt that makes a redelivery a no-op.
- ``writer``: the process's group-commit writer; ``batch``: one batch in one transaction.
- ``statements``: every dialect statement of the engine, PostgreSQL and SQLite side by side.
- ``tables`` and ``rows``: a table's column list read from its model, and the set-based writer.
- The adapters, one per kind of delivery: ``inbound_messages``, ``message_status``, ``calls``
  (calls and recordings), ``conversations``; ``status_callbacks`` is the engine the status
  adapters share. The status rules they call stay pure in ``services.messages`` and
  ``services.calls``.

It sits above ``services`` (whose rules it applies; a service that records through it is handed
the Gateway's recorder) and above ``activity`` (which appends and announces what it stores).
"""
