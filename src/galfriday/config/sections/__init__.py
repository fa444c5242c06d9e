"""One module per area of the system; ``galfriday.config.schema.Settings`` assembles them."""
