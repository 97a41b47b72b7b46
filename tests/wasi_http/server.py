#!/usr/bin/env python3
"""Loopback HTTP server for tests/cli/wasi_http.sh.

Listens on 127.0.0.1 on a free port, writes the port to the file given as
argv[1], and serves:
  GET  /hello        "hello from loopback" (text/plain, X-Test: yes)
  GET  /big?n=N      N bytes of 'abcdefghij' repeated (default 1 MiB)
  POST /echo         the request body back, with X-Method and X-Len headers
  PUT  /echo         the same
  GET  /headers      the request's headers, one "name: value" line each
  GET  /status/N     an empty response with status N
  GET  /trailers     "trailer body", chunked, with trailers x-checksum: 1234
                     and x-other: yes
  GET  /bigtrailers  a chunked body followed by over 1 MiB of trailers
  POST /trailers-echo  what the request's trailers were: "chunked N: name:
                     value; ..." (a chunked body of N bytes), "chunked N: none",
                     or "length N" (a Content-Length body: no trailers)
  GET  /slow?ms=N    "slow" after waiting N ms before the response head
"""
import http.server
import socketserver
import sys
import time
import urllib.parse


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def read_body(self, trailers=None):
        """The request body; a chunked body's trailer lines go to trailers."""
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                line = self.rfile.readline()
                n = int(line.split(b";")[0].strip(), 16)
                if n == 0:
                    while True:
                        t = self.rfile.readline()
                        if t in (b"\r\n", b"\n", b""):
                            return data
                        if trailers is not None:
                            trailers.append(t.rstrip(b"\r\n").decode("latin-1"))
                data += self.rfile.read(n)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(n)

    def chunked_with_trailers(self, body, trailers):
        self.send_response(200)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Trailer", ", ".join(k for k, _ in trailers[:2]))
        self.end_headers()
        out = b"%x\r\n%s\r\n0\r\n" % (len(body), body)
        for k, v in trailers:
            out += f"{k}: {v}\r\n".encode()
        self.wfile.write(out + b"\r\n")

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        if u.path == "/hello":
            self.reply(200, b"hello from loopback", [("Content-Type", "text/plain"), ("X-Test", "yes")])
        elif u.path == "/big":
            q = urllib.parse.parse_qs(u.query)
            n = int(q.get("n", ["1048576"])[0])
            body = (b"abcdefghij" * (n // 10 + 1))[:n]
            self.reply(200, body)
        elif u.path == "/headers":
            lines = "".join(f"{k.lower()}: {v}\n" for k, v in self.headers.items())
            self.reply(200, lines.encode())
        elif u.path == "/trailers":
            self.chunked_with_trailers(b"trailer body", [("X-Checksum", "1234"), ("X-Other", "yes")])
        elif u.path == "/bigtrailers":
            self.chunked_with_trailers(b"body", [(f"x-t{i}", "v" * 4000) for i in range(300)])
        elif u.path == "/slow":
            q = urllib.parse.parse_qs(u.query)
            time.sleep(int(q.get("ms", ["1000"])[0]) / 1000)
            self.reply(200, b"slow")
        elif u.path.startswith("/status/"):
            self.reply(int(u.path[8:]), b"")
        else:
            self.reply(404, b"not found")

    do_HEAD = do_GET

    def do_POST(self):
        if self.path == "/trailers-echo":
            trailers = []
            chunked = self.headers.get("Transfer-Encoding", "").lower() == "chunked"
            body = self.read_body(trailers)
            if chunked:
                text = f"chunked {len(body)}: " + ("; ".join(trailers) if trailers else "none")
            else:
                text = f"length {len(body)}"
            self.reply(200, text.encode())
            return
        body = self.read_body()
        self.reply(200, body, [("X-Method", self.command), ("X-Len", str(len(body)))])

    do_PUT = do_POST


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # a client that gives up mid-response (a timeout test, oversized
        # trailers) is expected: no traceback for a reset connection
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


if __name__ == "__main__":
    srv = Server(("127.0.0.1", 0), Handler)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    srv.serve_forever()
