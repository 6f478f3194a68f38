#!/usr/bin/env python3
"""A foreign writer whose writes cut frames at every offset.

cutwriter.py PIPE EXPECTED [FORMAT]: for each frame of a set whose payload
sizes sit around the 16-byte moves of the receiver's fast path, and for
each offset inside it, write the frame up to that offset, wait until the
reader has taken those bytes (FIONREAD on our write end, Linux), then
write the rest followed by a few whole frames.  So the reader gets the
frame in two reads cut exactly there, with whole frames after the cut.
EXPECTED receives what listen should print: FORMAT 'lines' (default),
'null' or 'raw'.
"""
import fcntl
import os
import struct
import sys
import termios
import time

SIZES = [0, 1, 2, 3, 5, 15, 16, 17, 20, 31, 32, 33, 63, 64, 65, 66, 100]
TRAILER = [0, 1, 16, 17]


def payload(n, seed):
    return bytes((seed * 31 + i * 7) % 256 for i in range(n))


def frame(p):
    return struct.pack('<I', len(p)) + p


def drained(fd):
    deadline = time.monotonic() + 10
    while True:
        buf = fcntl.ioctl(fd, termios.FIONREAD, b'\0\0\0\0')
        if struct.unpack('i', buf)[0] == 0:
            return
        if time.monotonic() > deadline:
            sys.exit('cutwriter: the reader stopped reading')
        time.sleep(0.0005)


def main():
    pipe, expected = sys.argv[1], sys.argv[2]
    fmt = sys.argv[3] if len(sys.argv) > 3 else 'lines'
    msgs = []
    fd = os.open(pipe, os.O_WRONLY)
    seed = 0
    for size in SIZES:
        for cut in range(1, size + 4):
            seed += 1
            f = frame(payload(size, seed))
            tail = [payload(n, seed + n) for n in TRAILER]
            os.write(fd, f[:cut])
            drained(fd)
            os.write(fd, f[cut:] + b''.join(frame(t) for t in tail))
            msgs += [payload(size, seed)] + tail
    os.close(fd)
    with open(expected, 'wb') as out:
        for m in msgs:
            if fmt == 'raw':
                out.write(frame(m))
            else:
                out.write(m + (b'\0' if fmt == 'null' else b'\n'))


main()
