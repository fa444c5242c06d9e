"""Gal-Friday: an automated trading system for Kraken spot.

The package is a modular monolith (see DESIGN.md §2). ``core`` holds the I/O-free kernel every
other module builds on.
"""

__version__ = "0.1.0"
