"""A small FastCGI client (the responder role IIS plays) for driving wfastcgi in tests.

It speaks the records IIS sends over the FastCGI process's stdin handle:
BEGIN_REQUEST, PARAMS (CGI variables), STDIN (the request body), and collects
STDOUT / STDERR until END_REQUEST.
"""

from __future__ import annotations

import socket
import struct
from dataclasses import dataclass, field
from email.message import Message
from email.parser import HeaderParser

FCGI_VERSION_1 = 1
FCGI_BEGIN_REQUEST = 1
FCGI_END_REQUEST = 3
FCGI_PARAMS = 4
FCGI_STDIN = 5
FCGI_STDOUT = 6
FCGI_STDERR = 7
FCGI_RESPONDER = 1
FCGI_KEEP_CONN = 1
MAX_CONTENT = 0xFFFF


def encode_record(record_type: int, request_id: int, content: bytes) -> bytes:
    """One FastCGI record: 8-byte header, content, padding to a multiple of 8."""
    padding = -len(content) % 8
    header = struct.pack(
        ">BBHHBB", FCGI_VERSION_1, record_type, request_id, len(content), padding, 0
    )
    return header + content + b"\0" * padding


def encode_stream(record_type: int, request_id: int, data: bytes) -> bytes:
    """A stream (PARAMS or STDIN): records of at most 65535 bytes, then an empty one."""
    chunks = [data[i : i + MAX_CONTENT] for i in range(0, len(data), MAX_CONTENT)]
    records = [encode_record(record_type, request_id, c) for c in chunks]
    return b"".join(records) + encode_record(record_type, request_id, b"")


def _length(n: int) -> bytes:
    return struct.pack(">B", n) if n < 0x80 else struct.pack(">I", n | 0x80000000)


def encode_params(params: dict[str, str]) -> bytes:
    """FastCGI name-value pairs; IIS sends CGI variables as latin-1 byte strings."""
    out = []
    for name, value in params.items():
        key, val = name.encode("latin-1"), value.encode("latin-1")
        out.append(_length(len(key)) + _length(len(val)) + key + val)
    return b"".join(out)


@dataclass
class FastCgiResponse:
    """What the application answered: CGI status line, headers, body, and stderr."""

    status: int
    headers: Message
    body: bytes
    stderr: str = ""
    set_cookies: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The body decoded as UTF-8."""
        return self.body.decode("utf-8", errors="replace")


def parse_cgi_response(stdout: bytes, stderr: str) -> FastCgiResponse:
    """Split ``Status: 200 OK\\r\\nName: value\\r\\n\\r\\nbody`` into its parts."""
    head, sep, body = stdout.partition(b"\r\n\r\n")
    if not sep:
        raise AssertionError(f"no CGI header block in {stdout[:200]!r}; {stderr}")
    headers = HeaderParser().parsestr(head.decode("latin-1") + "\r\n\r\n")
    status = int((headers.get("Status") or "200").split()[0])
    cookies = headers.get_all("Set-Cookie") or []
    return FastCgiResponse(status, headers, body, stderr, cookies)


class FastCgiConnection:
    """One FastCGI connection, as IIS holds to each FastCGI process."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.next_id = 1

    def _read_exactly(self, n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError(
                    f"the FastCGI process closed the connection ({data!r})"
                )
            data += chunk
        return data

    def request(self, params: dict[str, str], body: bytes = b"") -> FastCgiResponse:
        """Send one request and read records until its END_REQUEST."""
        request_id = self.next_id
        self.next_id += 1
        begin = struct.pack(">HB5x", FCGI_RESPONDER, FCGI_KEEP_CONN)
        self.sock.sendall(
            encode_record(FCGI_BEGIN_REQUEST, request_id, begin)
            + encode_stream(FCGI_PARAMS, request_id, encode_params(params))
            + encode_stream(FCGI_STDIN, request_id, body)
        )
        stdout, stderr = b"", b""
        while True:
            _, rtype, rid, length, padding, _ = struct.unpack(
                ">BBHHBB", self._read_exactly(8)
            )
            content = self._read_exactly(length + padding)[:length]
            if rid != request_id:
                raise AssertionError(f"record for request {rid}, expected {request_id}")
            if rtype == FCGI_STDOUT:
                stdout += content
            elif rtype == FCGI_STDERR:
                stderr += content
            elif rtype == FCGI_END_REQUEST:
                break
        return parse_cgi_response(stdout, stderr.decode("utf-8", errors="replace"))
