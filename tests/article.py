#!/usr/bin/env python3
"""A minimal client of the wire format, written independently of fifomsg.

Each message is a frame: a 4-byte unsigned little-endian length N, then N
payload bytes.  The tests use this client to check that fifomsg talks to
programs that know nothing but that format.

usage: article.py write PIPE [MESSAGE...]
       article.py read PIPE [COUNT]

write  opens PIPE for writing (blocking until a reader is there; "-" is
       standard output) and sends each MESSAGE, or else each line of
       standard input without its newline (a last line without one is
       still sent), as one frame written with ONE os.write() call.
read   opens PIPE for reading and, COUNT times (default: until the last
       writer leaves), reads exactly 4 header bytes, then exactly the
       payload, and prints the payload followed by a newline.  It never
       reads a byte beyond the frames it prints.

Exit status: 0 ok, 1 I/O error, 2 usage error, 4 truncated frame.
"""
import os
import struct
import sys


def frame(payload):
    return struct.pack("<I", len(payload)) + payload


def messages(args):
    if args:
        for arg in args:
            yield os.fsencode(arg)
        return
    for line in sys.stdin.buffer:
        yield line[:-1] if line.endswith(b"\n") else line


def write(path, args):
    fd = 1 if path == "-" else os.open(path, os.O_WRONLY)
    for payload in messages(args):
        data = frame(payload)
        n = os.write(fd, data)
        if n != len(data):
            sys.stderr.write("article.py: short write: %d of %d bytes\n"
                             % (n, len(data)))
            return 1
    if fd != 1:
        os.close(fd)
    return 0


def read_exact(fd, n):
    """Exactly n bytes; fewer only when the last writer has left."""
    buf = b""
    while len(buf) < n:
        chunk = os.read(fd, n - len(buf))
        if not chunk:
            break
        buf += chunk
    return buf


def read(path, count):
    fd = os.open(path, os.O_RDONLY)
    out = sys.stdout.buffer
    got = 0
    while count is None or got < count:
        head = read_exact(fd, 4)
        if not head and count is None:
            break
        if len(head) < 4:
            sys.stderr.write("article.py: stream ends inside a header\n")
            return 4
        (size,) = struct.unpack("<I", head)
        payload = read_exact(fd, size)
        if len(payload) < size:
            sys.stderr.write("article.py: stream ends inside a frame\n")
            return 4
        out.write(payload + b"\n")
        out.flush()
        got += 1
    os.close(fd)
    return 0


def main(argv):
    if len(argv) >= 3 and argv[1] == "write":
        return write(argv[2], argv[3:])
    if len(argv) in (3, 4) and argv[1] == "read":
        try:
            count = int(argv[3]) if len(argv) == 4 else None
        except ValueError:
            count = -1
        if count is None or count >= 0:
            return read(argv[2], count)
    sys.stderr.write("usage: article.py write PIPE [MESSAGE...]\n"
                     "       article.py read PIPE [COUNT]\n")
    return 2


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except OSError as e:
        sys.stderr.write("article.py: %s\n" % e)
        sys.exit(1)
