"""Client for the STEDI lakehouse GraphQL API (standard library only; pandas optional)."""

from .client import Client, Rows
from .errors import (
    AuthenticationError,
    BadInputError,
    ConnectionError,
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    RebuildInProgressError,
    ServerError,
    StaleCursorError,
    StediError,
)
from .graphql_answer import ErrorDetail

__version__ = "0.1.0"

__all__ = [
    "Client",
    "Rows",
    "StediError",
    "AuthenticationError",
    "ForbiddenError",
    "BadInputError",
    "NotFoundError",
    "StaleCursorError",
    "ServerError",
    "RateLimitedError",
    "RebuildInProgressError",
    "ConnectionError",
    "ErrorDetail",
    "__version__",
]
