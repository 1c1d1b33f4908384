"""An HTTP refusal (4xx, 5xx) as a typed StediError. The server's own refusals are GraphQL JSON; a proxy or gateway in
front (nginx, an ALB, API Gateway) answers in HTML, plain text or JSON of its own, and those were all one generic
ServerError("HTTP 401 Unauthorized"): `except AuthenticationError` missed a proxy's 401. Here the status says the class."""

import json
import re

from .errors import error_for
from .graphql_answer import answer_error

# What a status means when no GraphQL error says it: the class a notebook catches, whoever refused.
_CODES = {401: "UNAUTHENTICATED", 403: "FORBIDDEN", 429: "RATE_LIMITED"}
_WHAT = {
    401: "refused the request before it reached the API: check the key (stedi.Client(url, key) or STEDI_API_KEY) and whether the proxy needs a login of its own",
    403: "refused the request by a rule of its own (an address allow list, a login, a firewall), not by the key's role: ask whoever runs the proxy",
    429: "has had too many requests from this client: wait a while and try again",
    404: "has no such path: check the URL (the client asks for <url>/graphql and <url>/export/...; pass the server's own address, such as http://localhost:4000)",
}
_LONGEST = 200  # characters of the proxy's own words quoted in the message


def http_refusal(error, base, request_id, retry_after):
    """The StediError for urllib's HTTPError `error` from the server at `base`."""
    body = error.read(1 << 16) or b""
    try:
        payload = json.loads(body)
    except ValueError:
        payload = None
    if isinstance(payload, dict) and isinstance(payload.get("errors"), list) and payload["errors"]:
        refusal = answer_error(payload, request_id, default_code=f"HTTP_{error.code}", retry_after=retry_after)
    else:
        code = _CODES.get(error.code, f"HTTP_{error.code}")
        refusal = error_for(code, _proxy_message(error, base, _said(body, payload)), request_id, retry_after=retry_after)
    refusal.status = error.code
    return refusal


def _proxy_message(error, base, said):
    if error.code in _WHAT:
        what = _WHAT[error.code]
    elif error.code in (502, 503, 504):
        what = "answered for the server behind it, which may be down, restarting or slow: try again shortly"
    else:
        what = "answered instead of the API"
    quoted = f". It said: {said!r}" if said else ""
    return f"HTTP {error.code} {error.reason} from {base}, not this API's own answer (not its JSON): a proxy or gateway in front of the server {what}{quoted}"


def _said(body, payload):
    """The proxy's own words, short: a JSON body's message (API Gateway's {"message": "Unauthorized"}), else the text of
    an HTML or plain-text page without its tags, scripts and styles."""
    if isinstance(payload, dict) and isinstance(payload.get("message") or payload.get("error"), str):
        text = payload.get("message") or payload.get("error")
    else:
        text = body.decode("utf-8", "replace")
        text = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", text)
        text = re.sub(r"(?s)<[^>]*>", " ", text)
    text = " ".join(text.split())
    return text if len(text) <= _LONGEST else text[: _LONGEST - 1] + "…"
