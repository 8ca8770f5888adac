"""Running the product for real dealers: CSP sources, /health/, request ids, logs, Sentry."""
