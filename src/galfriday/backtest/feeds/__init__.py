"""What a backtest replays: ``Feed`` (time-merged sources of one kind, cut to a window), the file
readers that turn candle and trade files or the history store into sources, and ``--data`` parsing."""

from galfriday.backtest.feeds.feed import DataKind, Feed
from galfriday.backtest.feeds.files import open_file, open_history
from galfriday.backtest.feeds.specs import feed_from_specs

__all__ = ["DataKind", "Feed", "feed_from_specs", "open_file", "open_history"]
