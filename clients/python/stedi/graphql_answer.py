"""A GraphQL answer holding errors, raised as one typed StediError that keeps all of it: the first error chooses the
class (as before), and `.data` holds what the server did answer, `.errors` every error with its code and path.
graphql() raised the first error alone, and the rest of a partial answer (a field refused, the others there) was lost."""

from collections import namedtuple

from .errors import error_for


class ErrorDetail(namedtuple("ErrorDetail", "message code path")):
    """One error of an answer: its message, its extensions.code (None when the server gave none) and its path, a
    tuple of field names and list indexes (("customers", "edges", 0, "node", "email")), empty when it names none."""

    __slots__ = ()

    def __str__(self):
        where = f" at {path_text(self.path)}" if self.path else ""
        return f"{self.code or 'ERROR'}{where}: {self.message}"


def path_text(path):
    """A path as a notebook user writes it: customers.edges[0].node.email."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def answer_error(payload, request_id, version=None, default_code="ERROR", retry_after=None):
    """The error to raise for an answer whose `errors` is not empty, carrying the answer's data and every error.
    `default_code`: the code when the first error has none (an HTTP refusal's HTTP_<status>)."""
    details = [_detail(e) for e in payload["errors"]]
    first = payload["errors"][0] if isinstance(payload["errors"][0], dict) else {}
    extensions = first.get("extensions") or {}
    error = error_for(details[0].code or default_code, details[0].message, request_id, version, retry_after, extensions.get("reason"))
    error.data = payload.get("data")
    error.errors = tuple(details)
    error.note = _note(details, error.data)
    return error


def aliased_as(error, alias, field):
    """The error with the paths that start at `alias`, the name the client gave a field in its own query (a pull's
    `page:`), starting at `field` instead: the user wrote training_set(), never "page", which their errors said."""
    if not any(d.path[:1] == (alias,) for d in error.errors):
        return error
    error.errors = tuple(d._replace(path=(field,) + d.path[1:]) if d.path[:1] == (alias,) else d for d in error.errors)
    error.note = _note(error.errors, error.data)
    return error


def _detail(error):
    if not isinstance(error, dict):
        return ErrorDetail(str(error), None, ())
    code = (error.get("extensions") or {}).get("code")
    return ErrorDetail(str(error.get("message", "")), code, tuple(error.get("path") or ()))


def _note(details, data):
    """What str(error) adds to the first error's message: where it was, how many more there are, and that the rest of
    the answer is on .data, so a notebook user knows it was not lost."""
    parts = []
    if details[0].path:
        parts.append(f" (at {path_text(details[0].path)})")
    if len(details) > 1:
        others = "; ".join(str(d) for d in details[1:4]) + ("; …" if len(details) > 4 else "")
        parts.append(f". {len(details) - 1} more error{'s' if len(details) > 2 else ''} (all on .errors): {others}")
    if isinstance(data, dict) and any(value is not None for value in data.values()):
        parts.append(". The rest of the answer arrived: it is on this error's .data")
    return "".join(parts)
