"""Typed errors: each carries the server's code (UNAUTHENTICATED, BAD_USER_INPUT, STALE_CURSOR, ...)."""

import builtins
import re


class StediError(Exception):
    """An error the server reported, or a failure to reach it. `code` is the server's error code."""

    code = "ERROR"
    # An answer with errors (graphql_answer.py): the data that arrived beside them (None when none did), every error
    # as an ErrorDetail (message, code, path), and what the message adds about them. HTTP status: when one came.
    data = None
    errors = ()
    note = ""
    status = None

    def __init__(self, message, code=None, request_id=None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.request_id = request_id

    def __str__(self):
        return f"{self.code}: {self.message}{self.note}"


class AuthenticationError(StediError):
    """The key is missing or unknown (UNAUTHENTICATED)."""

    code = "UNAUTHENTICATED"


class ForbiddenError(StediError):
    """The key's role may not do this, such as personal data or rebuilds with an analyst key (FORBIDDEN)."""

    code = "FORBIDDEN"


class BadInputError(StediError):
    """The request itself is wrong: an argument, a variable, the query (BAD_USER_INPUT and the like)."""

    code = "BAD_USER_INPUT"


class NotFoundError(StediError):
    code = "NOT_FOUND"


# Why a version expired, as far as the rest of the hint goes: rebuilds replaced it, or the server cannot tell.
EXPIRED_REASONS = ("VERSION_REPLACED", "VERSION_EXPIRED")


class StaleCursorError(StediError):
    """The lake version a multi-page pull started on is no longer kept, or consent changed in it
    for a customer whose rows the pages already read may hold (STALE_CURSOR). `reason` is the server's
    extensions.reason (None from a server before reasons); `discard` is True when consent is, or may be, why
    (the server could not tell why the version expired), so the rows already read must be dropped, not only
    the pull run again."""

    code = "STALE_CURSOR"

    def __init__(self, message, code=None, request_id=None, version=None, reason=None):
        # Privacy first: an expired version whose cause the server did not see (VERSION_EXPIRED, or a server before
        # reasons saying "no longer kept") may have held a customer who withdrew.
        changed = reason == "CONSENT_CHANGED" or (reason is None and message.startswith("consent changed"))
        unknown = reason == "VERSION_EXPIRED" or (reason is None and "no longer kept" in message)
        super().__init__(_stale_hint(message, reason, version, changed), code, request_id)
        self.reason = reason
        self.discard = changed or unknown or reason == "CONSENT_ERASURE"
        self.version = version


def _stale_hint(message, reason, version, changed):
    """What a StaleCursorError says: why the pull cannot go on, and what to do; the server's own words end it."""
    pinned = f"the lake version this pull started on{f' ({version})' if version else ''}"
    if reason == "CONSENT_ERASURE":
        return (
            f"{pinned} was expired early to erase customers whose consent for research was withdrawn: the rows already "
            f"read may hold theirs. Discard those rows and run the pull again (export() reads in one request). Server said: {message}"
        )
    if changed:
        return (
            f"consent changed while you paged {pinned}: a customer whose rows the pages already read may hold withdrew or "
            f"gave consent for research. Discard those rows and run the pull again (export() reads in one request). Server said: {message}"
        )
    if reason is not None and reason not in EXPIRED_REASONS:
        # The split percentages changed, the version is damaged, or the lake changed under a request without a cursor.
        return f"this pull cannot go on ({reason}): run it again from the start. Server said: {message}"
    # VERSION_REPLACED: the server saw no withdrawn consent in it; VERSION_EXPIRED or None: it cannot tell which.
    erasure = "" if reason == "VERSION_REPLACED" else " or at once when it holds a customer who withdrew consent (the server cannot tell which: to be safe, discard the rows already read)"
    return (
        f"{pinned} is no longer kept: the lake was rebuilt while you paged, and a version expires once newer builds "
        f"replace it (after STEDI_KEEP_VERSIONS of them){erasure}. Run the pull again (it starts on the live version), "
        "use a larger page_size or export() for one-request pulls, or ask the operator to keep more versions "
        f"(STEDI_KEEP_VERSIONS). Server said: {message}"
    )


class RebuildInProgressError(StediError):
    """rebuildZones asked for one consent policy while a rebuild under the other runs (REBUILD_IN_PROGRESS, HTTP 409).
    Not a mistake in the request: ask again once the job the message names has finished."""

    code = "REBUILD_IN_PROGRESS"


class ServerError(StediError):
    """The server failed (INTERNAL_SERVER_ERROR, TIMEOUT, SERVICE_UNAVAILABLE, ...); quote request_id to the operator."""

    code = "INTERNAL_SERVER_ERROR"


class RateLimitedError(ServerError):
    """The key already has too many requests running (RATE_LIMITED, HTTP 429) and retry_seconds ran out waiting.
    `retry_after` is the seconds the server asked to wait (None when it named none). A ServerError, as before."""

    code = "RATE_LIMITED"

    def __init__(self, message, code=None, request_id=None, retry_after=None):
        super().__init__(message, code, request_id)
        self.retry_after = retry_after


class ConnectionError(StediError, builtins.ConnectionError):  # noqa: A001 - the name users expect, scoped to this package
    """The server could not be reached, or the connection was lost or timed out mid-answer. Also Python's own
    ConnectionError (an OSError), which a notebook's `except ConnectionError:` names without importing this one."""

    code = "CONNECTION_FAILED"

    def __init__(self, message, code=None, request_id=None, timed_out=False):
        super().__init__(message, code, request_id)
        # A page that timed out is not asked again: it would likely time out again, and load the server twice.
        self.timed_out = timed_out


# The server's refusals of a page too large: its range of `first` (however far above it), or its cost limit (fields
# costly enough per row; also a `first` past the cost limit on a server before it said the range there).
_FIRST_RANGE = re.compile(r"^`first` of \S+ must be a whole number from 1 to (\d+)")
_COST = "rows per page (first)"


def page_size_error(error, page_size):
    """`error` (a BadInputError of a pull) said in terms of page_size, which the caller wrote, when the server refused
    its `first` (which the caller never wrote); else `error` itself. The server's own words end the message."""
    limit = _FIRST_RANGE.match(error.message)
    if limit:
        fix = f"pass a page_size from 1 to {int(limit.group(1)):,} (this server's STEDI_MAX_PAGE_SIZE)"
    elif _COST in error.message:
        fix = "pass a smaller page_size (at most 10,000 by default, the server's STEDI_MAX_PAGE_SIZE; fewer where each row costs more)"
    else:
        return error
    return BadInputError(f"page_size={page_size!r} is more rows per page than this server answers: {fix}. Server said: {error.message}", error.code, error.request_id)


_BY_CODE = {
    "UNAUTHENTICATED": AuthenticationError,
    "FORBIDDEN": ForbiddenError,
    "BAD_USER_INPUT": BadInputError,
    "GRAPHQL_VALIDATION_FAILED": BadInputError,
    "GRAPHQL_PARSE_FAILED": BadInputError,
    "OPERATION_RESOLUTION_FAILURE": BadInputError,
    "BAD_REQUEST": BadInputError,
    "NOT_FOUND": NotFoundError,
    "STALE_CURSOR": StaleCursorError,
    "RATE_LIMITED": RateLimitedError,
    "REBUILD_IN_PROGRESS": RebuildInProgressError,
}


def error_for(code, message, request_id=None, version=None, retry_after=None, reason=None):
    """The typed error for a server code; ServerError for codes this client does not know."""
    cls = _BY_CODE.get(code, ServerError)
    if cls is StaleCursorError:
        return StaleCursorError(message, code, request_id, version, reason)
    if cls is RateLimitedError:
        return RateLimitedError(message, code, request_id, retry_after)
    return cls(message, code, request_id)
