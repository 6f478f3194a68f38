#!/usr/bin/env python3
"""A request/reply client in plain Python, from fifomsg-serve(1) alone.

usage: reqclient.py PIPE BODY  -> prints the status line, then the reply."""
import os, struct, sys, tempfile

def frame(fd):
    def exactly(n):
        b = b""
        while len(b) < n:
            b += os.read(fd, n - len(b)) or sys.exit("reply cut short")
        return b
    return exactly(struct.unpack("<I", exactly(4))[0])

def request(pipe, body):
    d = tempfile.mkdtemp()
    path = os.path.join(d, "reply")
    os.mkfifo(path, 0o600)
    try:
        r = os.open(path, os.O_RDWR)  # open before asking: no reply lost
        req = path.encode() + b"\0" + body
        w = os.open(pipe, os.O_WRONLY)
        os.write(w, struct.pack("<I", len(req)) + req)  # <= PIPE_BUF: atomic
        os.close(w)
        return int(frame(r)), frame(r)
    finally:
        os.unlink(path)
        os.rmdir(d)

status, out = request(sys.argv[1], sys.argv[2].encode())
sys.stdout.buffer.write(b"status %d\n" % status + out + b"\n")
