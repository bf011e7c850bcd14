"""Kibana saved objects for peacewatch and the tools that render and import them."""
