"""``galfriday demo``: the whole system end to end on embedded defaults (see ``demo.run``)."""

from galfriday.app.demo.run import DemoOptions, demo, run_demo

__all__ = ["DemoOptions", "demo", "run_demo"]
