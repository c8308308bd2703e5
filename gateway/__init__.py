"""The API gateway: one entry point for all services (GW-1, GW-2, GW-3).

A raw ASGI proxy (``gateway.proxy``) in front of identity, learning, journal and
compliance: token verification at the edge, request ids, CORS, rate limits, timeouts;
plus health, metrics, the merged OpenAPI contract and self-hosted Swagger UI.
Run it with ``uvicorn --factory gateway.app:create_app --port 8000``.
"""
