"""The API's services: its clients and tokens, and what it reads."""
