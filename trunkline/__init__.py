"""Trunkline: a multi-tenant gateway between single-page apps and Twilio."""

__version__ = "0.1.0"
