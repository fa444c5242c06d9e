"""Tests for galfriday.marketdata."""
