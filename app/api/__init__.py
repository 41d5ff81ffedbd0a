"""The open API (/api/v1/): JSON for the organisations' own systems, described by an OpenAPI
3.1 document generated from the schemas, with tokens per organisation (docs/api.md)."""
