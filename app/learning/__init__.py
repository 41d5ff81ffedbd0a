"""Learning across the levels: good stories, shared lessons, and the Læring page."""
