"""The writer of the classic named-pipe IPC design, used as a baseline.

Each line of standard input (without its newline) becomes one message: a
4-byte unsigned little-endian length, then the payload, sent with one
os.write() per message on the FIFO opened O_WRONLY.

usage: article_writer.py PIPE < LINES
"""
import os
import struct
import sys


def create_msg(content: bytes) -> bytes:
    return struct.pack("<I", len(content)) + content


def main() -> int:
    fifo = os.open(sys.argv[1], os.O_WRONLY)
    try:
        for line in sys.stdin.buffer:
            if line.endswith(b"\n"):
                line = line[:-1]
            os.write(fifo, create_msg(line))
    finally:
        os.close(fifo)
    return 0


if __name__ == "__main__":
    sys.exit(main())
