"""Good stories (stories.py), lessons (lessons.py) and the Læring page (community.py)."""
