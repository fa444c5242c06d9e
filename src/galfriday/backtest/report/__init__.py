"""Reports of a backtest: a rich table on the terminal, JSON and CSV files, a self-contained HTML page."""

from galfriday.backtest.report.console import metrics_table, print_result
from galfriday.backtest.report.files import write_result_files
from galfriday.backtest.report.html import write_html_report

__all__ = ["metrics_table", "print_result", "write_html_report", "write_result_files"]
