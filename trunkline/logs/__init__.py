"""The gateway's logs: one configuration for uvicorn's loggers and ours, the fields each line
carries (request id, tenant, user, GraphQL operation), and the redaction of secrets.

A domain name of its own (``trunkline.logs``): ``logging`` would shadow the standard library.
"""

from trunkline.logs.configuration import configure_logging, log_config
from trunkline.logs.context import bind_caller, bind_operation, bind_request, bind_tenant
from trunkline.logs.redaction import SecretRedaction, known_secrets, redact

__all__ = [
    "SecretRedaction",
    "bind_caller",
    "bind_operation",
    "bind_request",
    "bind_tenant",
    "configure_logging",
    "known_secrets",
    "log_config",
    "redact",
]
