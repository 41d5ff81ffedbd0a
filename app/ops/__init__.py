"""What operations needs to run Avvik: the health endpoint, JSON-line logs with a request id,
and the online backup of a SQLite database."""
