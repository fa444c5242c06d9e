"""Kraken adapter: REST and WebSocket v2 clients, message schemas and symbol mapping."""
