"""Incident analysis (hendelsesanalyse): one method shared by hospital and municipalities."""
