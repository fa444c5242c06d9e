"""Wiring: start-up, the live/paper runtime, the demo and (later) the control API."""
