"""A stand-in GraphQL server for the client's tests that need no live server (hang-ups, retries, expiries)."""

import http.server
import json
import threading

HANG_UP = object()


def serve(test, respond):
    """Starts a server for `test`, stopped when it ends, and returns its URL. `respond(body)` gets each POST's JSON
    body and returns HANG_UP (close without a word, as a killed server process does), a dict (answered as JSON with
    200), or (status, payload, headers): payload a dict (JSON) or bytes (sent as text/html, as a proxy's page)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            answer = respond(json.loads(self.rfile.read(int(self.headers["content-length"]))))
            if answer is HANG_UP:
                self.close_connection = True
                return
            status, payload, headers = answer if isinstance(answer, tuple) else (200, answer, {})
            text = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "text/html" if isinstance(payload, bytes) else "application/json")
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    test.addCleanup(server.server_close)
    test.addCleanup(server.shutdown)
    return f"http://127.0.0.1:{server.server_address[1]}"
