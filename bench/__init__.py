"""Benchmarks of the platform (not tests): ``make bench`` runs ``python -m bench``.

P1: an authenticated GET through the gateway against the same GET straight to the
service, side by side with wrk (Debian package ``wrk``). Also the login endpoint
against a bare Argon2id verify, and token verification in microseconds. The figures
and the goals are written up in docs/performance.md.
"""
