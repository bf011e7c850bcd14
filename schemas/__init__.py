"""The data contract of peacewatch: JSON Schemas, Elasticsearch templates, ids and settings."""
