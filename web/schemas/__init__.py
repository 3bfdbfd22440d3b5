"""One pydantic model per request and response of the JSON API, by area, and the route table over them.

The views validate bodies and queries with these models and ``web.openapi`` generates the
OpenAPI document from the same models, so what is documented is what is checked.
"""
