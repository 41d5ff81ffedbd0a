"""Full-text search over deviations (SQLite FTS5, PostgreSQL tsvector), shared by the inbox, the
search page and the deviation page's similar cases."""
