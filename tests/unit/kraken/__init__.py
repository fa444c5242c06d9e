"""Tests for galfriday.kraken."""
