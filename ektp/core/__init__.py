"""The core: settings, the DB's schema and how a served file is opened, the rules' notes, labels,
the page style, spreadsheet reading, operators. Imports nothing above it; the ETL may use it."""
