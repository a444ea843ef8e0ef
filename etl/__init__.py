"""ETL: office spreadsheets, published figures, boundaries and region codes → one DuckDB file."""
