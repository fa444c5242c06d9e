"""Historical trades and candles: download from Kraken, import files, store as Parquet, load fast.

See ``layout`` for the folder structure, ``importers`` for the column contract, ``download`` for
how resuming works.
"""

from galfriday.marketdata.history.download import DownloadProgress, DownloadResult, download_trades
from galfriday.marketdata.history.importers import COLUMN_CONTRACT, ImportResult, import_file
from galfriday.marketdata.history.layout import DEFAULT_ROOT, HistoryError, HistoryLayout
from galfriday.marketdata.history.listing import HistoryEntry, list_history
from galfriday.marketdata.history.loader import load_candles
from galfriday.marketdata.history.normalize import ImportValidationError
from galfriday.marketdata.history.readers import ImportFormat
from galfriday.marketdata.history.schema import Kind

__all__ = [
    "COLUMN_CONTRACT",
    "DEFAULT_ROOT",
    "DownloadProgress",
    "DownloadResult",
    "HistoryEntry",
    "HistoryError",
    "HistoryLayout",
    "ImportFormat",
    "ImportResult",
    "ImportValidationError",
    "Kind",
    "download_trades",
    "import_file",
    "list_history",
    "load_candles",
]
