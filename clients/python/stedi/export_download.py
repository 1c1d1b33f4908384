"""An export's download: streamed to `<path>.part`, renamed to `path` only once complete, so a failed pull leaves nothing behind."""

import os

from .errors import ConnectionError
from .export_complete import export_complete


def download_export(transport, request, path, format):
    """Writes what the export `request` (of `format`) answers to `path`; returns its row count (X-Row-Count), or None when not sent."""
    partial = f"{path}.part"
    try:
        # Only the network side is inside _reaching: a local OSError (a missing folder, a full disk,
        # a read-only path) is raised as it is, not reported as a lost connection to the server.
        # An export may take minutes to start on a large lake: at least 10 minutes, whatever the client's timeout.
        timeout = max(transport.timeout, 600)
        with open(partial, "wb") as out:
            with transport._reaching(timeout):
                response = transport._open(request, timeout=timeout)
            with response:
                received = 0
                while True:
                    with transport._reaching(timeout):
                        chunk = response.read(1 << 20)
                    if not chunk:
                        break
                    out.write(chunk)
                    received += len(chunk)
                count = response.headers.get("X-Row-Count")
                # http.client ends a read short without a word when the connection closes early.
                expected = response.headers.get("Content-Length")
                if expected is not None and received != int(expected):
                    raise ConnectionError(f"the export from {transport.base} ended after {received:,} of its {int(expected):,} bytes; the server may be restarting: try again")
        # A proxy that drops Content-Length sends the file until the connection closes: whole or cut, it ends the same.
        if expected is None and not export_complete(partial, format, count):
            raise ConnectionError(f"the export from {transport.base} ended before all of its {count or 'unknown number of'} rows arrived (no Content-Length came, so a proxy in front may have dropped it); try again")
        os.replace(partial, path)
    except BaseException:
        if os.path.exists(partial):
            os.remove(partial)
        raise
    return int(count) if count is not None else None
