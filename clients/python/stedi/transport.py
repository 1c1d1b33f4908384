"""How the client reaches one server: the key on every request, a 429 waited out, a lost server and the
server's errors raised as typed StediErrors, and a pull's next page asked again while the server restarts."""

import contextlib
import http.client
import json
import os
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

from .errors import ConnectionError, ServerError, StediError
from .graphql_answer import answer_error
from .http_refusal import http_refusal
from .notebook_values import json_text

# What a proxy in front answers while the server behind it is down (no GraphQL body: the client's HTTP_<status>).
GATEWAY_DOWN = ("HTTP_502", "HTTP_503")
# The server's own "retry later" for a page: consent cannot be checked for now (its landing read failing), or the
# engine is throttled or out of reach. The cursor pins the version, so asking again loses nothing read.
RETRY_LATER = ("CONSENT_UNAVAILABLE", "ENGINE_BUSY")


class Transport:
    """One server's GraphQL endpoint and downloads. `url` is the server (http://host:4000) or its /graphql endpoint."""

    def __init__(self, url=None, key=None, timeout=120, retry_seconds=30):
        # Spaces and a line break around it, as an .env file or a copied cell gives it, made urllib's "Invalid header value".
        url = (url or os.environ.get("STEDI_URL") or "http://localhost:4000").strip()
        self.key = _clean_key(key or os.environ.get("STEDI_API_KEY"))
        if not self.key:
            raise ValueError("an API key is required: stedi.Client(url, key) or STEDI_API_KEY")
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            # urllib would say "unknown url type" later, which reads as if the server were down.
            raise ValueError(f"url must start with http:// or https://, such as http://localhost:4000; received {url!r}")
        self.base = url.rstrip("/")
        if self.base.endswith("/graphql"):
            self.base = self.base[: -len("/graphql")]
        self.timeout = timeout
        # How long a pull under way keeps asking for its next page again while the server is unreachable
        # (restarting, a worker replaced). The cursor pins the lake version, so asking again is safe. 0: never.
        self.retry_seconds = retry_seconds

    @contextlib.contextmanager
    def _reaching(self, timeout=None):
        """A connection lost after it was made (a server restarting, a worker killed, a read timing out) is a ConnectionError too."""
        try:
            yield
        except StediError:
            raise
        except (OSError, http.client.HTTPException) as error:
            if _timed_out(error):
                # Not a restart (as it said): the server took the request and sent nothing for `timeout` seconds.
                waited = timeout or self.timeout
                raise ConnectionError(
                    f"no answer from {self.base} for {waited:g} s (the client's timeout): the server is busy or the request is "
                    f"large; try again, ask for less (a pull: a smaller page_size), or wait longer: stedi.Client(url, key, timeout={2 * waited:g})",
                    timed_out=True,
                ) from None
            raise ConnectionError(f"lost the connection to {self.base} ({type(error).__name__}: {error}); the server may be restarting: try again") from None

    def _open(self, request, timeout=None):
        request.add_header("authorization", f"Bearer {self.key}")
        waited = 0.0
        while True:
            try:
                return urllib.request.urlopen(request, timeout=timeout or self.timeout)
            except urllib.error.HTTPError as error:
                # 429: this key has too many requests in flight (the server's per-key limit); a 503 that says when to ask
                # again: the server answering too many rows for all clients at once (ENGINE_BUSY), as urllib3's Retry
                # reads it. Nothing was run, so the request waits the Retry-After and goes again, within retry_seconds.
                wait = _retry_after(error) if error.code == 429 or (error.code == 503 and _retry_after_header(error) is not None) else None
                if wait is None or waited + wait > self.retry_seconds:
                    refusal = self._http_error(error)
                    # Said when to ask and waited out here already: a pull's next page is not asked for another retry_seconds.
                    refusal.waited_out = wait is not None
                    raise refusal from None
                error.close()
            except urllib.error.URLError as error:
                raise ConnectionError(f"cannot reach {self.base} ({error.reason}); is the server running?", timed_out=_timed_out(error.reason)) from None
            time.sleep(wait)
            waited += wait

    def _http_error(self, error):
        request_id = error.headers.get("x-request-id") if error.headers else None
        return http_refusal(error, self.base, request_id, _retry_after_header(error))

    def graphql(self, query, variables=None, version=None):
        """Runs one GraphQL document and returns its data. An answer with errors raises a typed StediError (the first
        error's class) carrying `.errors`, every error with its code and path, and `.data`, the answer's data, which a
        partial answer (one field refused, the others answered) still holds."""
        body = json_text({"query": query, "variables": variables or {}}).encode("utf-8")
        request = urllib.request.Request(f"{self.base}/graphql", data=body, method="POST", headers={"content-type": "application/json"})
        with self._reaching(), self._open(request) as response:
            try:
                payload = json.load(response)
            except ValueError:
                # Cut short where no Content-Length could tell (a proxy in front dropped it), or not JSON at all (a
                # proxy's own page): a lost answer, as a cut with a Content-Length is, so a pull asks for the page again.
                raise ConnectionError(f"the answer from {self.base} ended before its JSON did, or is not JSON (a proxy in front?); the server may be restarting: try again") from None
            request_id = response.headers.get("x-request-id")
        if not isinstance(payload, dict) or not isinstance(payload.get("errors", []), list):
            raise ConnectionError(f"the answer from {self.base} is JSON but not a GraphQL answer (a proxy in front?); the server may be restarting: try again")
        if payload.get("errors"):
            # Every error and the data beside them (a partial answer) travel on the error raised: graphql_answer.py.
            raise answer_error(payload, request_id, version)
        return payload.get("data")

    def _next_page(self, query, variables, version, first_page):
        """One page of a pull. A page after the first is asked again while the server is unreachable or answers
        that it cannot serve for now (RETRY_LATER), for up to retry_seconds, so a server restart or a passing
        landing outage does not lose the pages already read; the first page is not (a server that is down says so at once)."""
        delay, waited = 0.25, 0.0
        while True:
            try:
                return self.graphql(query, variables, version)
            except (ConnectionError, ServerError) as error:
                # A proxy or load balancer in front (an ALB, nginx) answers 502 or 503 without a GraphQL body
                # while the server restarts: the same lost server as a refused connection.
                lost = isinstance(error, ConnectionError) or error.code in GATEWAY_DOWN or error.code in RETRY_LATER
                if not lost or first_page or getattr(error, "timed_out", False) or getattr(error, "waited_out", False) or waited + delay > self.retry_seconds:
                    raise
            time.sleep(delay)
            waited += delay
            delay = min(delay * 2, 4.0)


def _clean_key(key):
    """The key as the server wants it. A key read from a file keeps its line break, and one copied from a curl line
    its "Bearer ": both are dropped. A character no header can carry is refused here, without quoting the key:
    urllib's own error quoted it whole (and the traceback with it lands in a notebook's saved output)."""
    if not key:
        return key
    key = key.strip()
    if key[:7].lower() == "bearer ":
        key = key[7:].lstrip()
    if any(ord(c) <= 0x20 or 0x7F <= ord(c) <= 0x9F or ord(c) > 0xFF for c in key):
        raise ValueError("the API key holds a space, a line break or a character no API key has (such as a curly quote or an ellipsis): pass the key alone, as the server printed it")
    return key


def _timed_out(error):
    return isinstance(error, (socket.timeout, TimeoutError))


def _retry_after_header(error):
    """Retry-After as the server sent it, in seconds; None when it sent none or not a number of seconds."""
    try:
        seconds = float(error.headers.get("retry-after"))
    except (TypeError, ValueError, AttributeError):
        return None
    return seconds if seconds >= 0 and seconds != float("inf") else None


def _retry_after(error):
    """The seconds a 429 answer asks the client to wait (Retry-After in seconds; 1 when absent or not a number).
    At least 50 ms, so a server saying 0 cannot keep the client asking for ever within retry_seconds."""
    try:
        return min(60.0, max(0.05, float(error.headers.get("retry-after", "1"))))
    except (TypeError, ValueError, AttributeError):
        return 1.0
