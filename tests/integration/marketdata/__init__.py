"""Integration tests for galfriday.marketdata."""
