"""Strawberry types, inputs, enums, the Schema object (``root``) and its extensions."""
