"""Seeded synthetic markets (trades + L2 books) for the demo and load tests; see ``generator``."""

from galfriday.sim.market.generator import DEFAULT_START_NS, MarketGenerator
from galfriday.sim.market.profile import PairProfile, default_profiles

__all__ = ["DEFAULT_START_NS", "MarketGenerator", "PairProfile", "default_profiles"]
