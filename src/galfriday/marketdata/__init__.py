"""Market data: checksum-verified L2 books, data-quality checks, the ingestor and book replays."""
