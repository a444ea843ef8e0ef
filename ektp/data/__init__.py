"""Data access: the read-only connection (db), every SQL statement the app runs (queries, typed
and bound), targets, releases, geometry files, load history, an area page's figures."""
