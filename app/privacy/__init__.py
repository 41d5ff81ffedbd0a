"""Privacy: the access log (who read what) and the data protection officer's pages."""
