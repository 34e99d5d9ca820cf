"""Strawberry types, inputs, enums, typed errors and pagination: types only (the endpoint that
serves them is ``trunkline.graphql``)."""
