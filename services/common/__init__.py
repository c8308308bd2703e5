"""The shared kernel of the platform: settings, database, errors, auth, pagination,
events, audit, idempotency, logging and the service app factory.

It never imports a service (enforced by import-linter).
"""
