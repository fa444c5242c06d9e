"""Every metric family Gal-Friday exports (the issue's list), for the exposition tests."""

EXPORTED_FAMILIES = {
    # latencies
    "galfriday_market_data_to_order_seconds",
    "galfriday_prediction_latency_seconds",
    "galfriday_risk_check_latency_seconds",
    "galfriday_bus_handler_latency_seconds",
    "galfriday_bus_delivery_latency_seconds",
    # bus
    "galfriday_bus_queue_depth",
    "galfriday_bus_events_dropped",
    "galfriday_bus_handler_errors",
    # trading
    "galfriday_orders",
    "galfriday_fills",
    "galfriday_order_rejects",
    "galfriday_signals_rejected",
    "galfriday_trades_closed",
    "galfriday_realized_pnl",
    "galfriday_unrealized_pnl",
    "galfriday_equity",
    "galfriday_exposure_ratio",
    "galfriday_drawdown_ratio",
    # state
    "galfriday_halted",
    "galfriday_halts",
    "galfriday_system_state",
    "galfriday_market_data_stale",
    "galfriday_health_status",
    "galfriday_alerts_raised",
    # venue and feed
    "galfriday_book_checksum_failures",
    "galfriday_api_errors",
    "galfriday_api_calls_rejected",
    "galfriday_circuit_breaker_state",
    "galfriday_ws_connected",
    "galfriday_ws_reconnects",
    # host
    "galfriday_cpu_usage_ratio",
    "galfriday_memory_usage_ratio",
    "galfriday_event_loop_lag_seconds",
    "galfriday_market_data_age_seconds",
    "process_resident_memory_bytes",
}
