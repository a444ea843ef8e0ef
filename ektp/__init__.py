"""e-KTP coverage dashboard: settings, read-only queries, chart builders and UI helpers."""
