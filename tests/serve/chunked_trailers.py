#!/usr/bin/env python3
"""Send one chunked request with trailers to a `weft serve` (curl cannot
send request trailers) and print the response body.
  chunked_trailers.py PORT BODY [TRAILER-LINE...]
Each TRAILER-LINE is sent as-is ("name: value"). Prints the status code and
the body ("STATUS BODY"), or "none" when no response came."""
import socket
import sys


def main():
    port, body = int(sys.argv[1]), sys.argv[2].encode()
    trailers = "".join(t + "\r\n" for t in sys.argv[3:]).encode("latin-1")
    req = (b"POST /t HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
           b"Connection: close\r\n\r\n")
    # the body in two chunks, then the last chunk, the trailers, the end
    half = len(body) // 2
    for part in (body[:half], body[half:]):
        if part:
            req += b"%x\r\n%s\r\n" % (len(part), part)
    req += b"0\r\n" + trailers + b"\r\n"
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(req)
    data = b""
    try:
        while True:
            c = s.recv(65536)
            if not c:
                break
            data += c
    except socket.timeout:
        pass
    head, _, rest = data.partition(b"\r\n\r\n")
    if not head:
        print("none")
        return
    status = head.split(b"\r\n")[0].split(b" ")[1].decode()
    if b"transfer-encoding: chunked" in head.lower():
        out = b""
        while rest:
            line, _, rest = rest.partition(b"\r\n")
            n = int(line.split(b";")[0], 16)
            if n == 0:
                break
            out += rest[:n]
            rest = rest[n + 2:]
        rest = out
    print(status, rest.decode("latin-1").rstrip("\n"))


main()
