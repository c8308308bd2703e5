"""The notification outbox: e-mail copies written in the caller's transaction and sent
later by a background dispatcher (LE-5, Reg §2.2). Other features call
:func:`services.learning.notifications.outbox.enqueue`. The machinery is shared with
compliance in ``services.common.notifications``; this package binds it to learning's
tables and serves the delivery status (``endpoints.py``)."""
