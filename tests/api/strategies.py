"""Hypothesis strategies from the subset of JSON Schema the API's request schemas use."""
from __future__ import annotations

from hypothesis import strategies as st


def from_schema(schema: dict) -> st.SearchStrategy:
    """Values valid for a schema made of objects, strings (enum, length), integers and arrays of enums."""
    kind = schema.get("type")
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if kind == "string":
        # The only pattern the API uses forbids NUL; JSON text is Unicode, so no lone surrogates either.
        alphabet = st.characters(exclude_characters="\x00" if "pattern" in schema else "", exclude_categories=("Cs",))
        return st.text(alphabet=alphabet, min_size=schema.get("minLength", 0), max_size=min(schema.get("maxLength", 50), 50))
    if kind == "integer":
        return st.integers(min_value=schema.get("minimum", -(2**31)), max_value=schema.get("maximum", 2**31))
    if kind == "array":
        return st.lists(from_schema(schema["items"]), max_size=schema.get("maxItems", 5),
                        unique=schema.get("uniqueItems", False))
    if kind == "object":
        properties = schema.get("properties", {})
        required = {name: from_schema(properties[name]) for name in schema.get("required", [])}
        optional = {name: from_schema(sub) for name, sub in properties.items() if name not in required}
        return st.fixed_dictionaries(required, optional=optional)
    raise ValueError(f"unsupported schema: {schema}")
