"""Tertial statistics: the page, the downloads and the `report tertial` command."""
