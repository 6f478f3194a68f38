"""The reader of the classic named-pipe IPC design, used as a baseline.

Opens the FIFO O_RDONLY | O_NONBLOCK, polls it, and for each wake-up with
data reads one message with two os.read() calls (the 4-byte length, then
the payload) and prints it.  Stops after COUNT messages.  Unlike the
original it also stops (exit 1) when the writer leaves early, instead of
spinning on POLLHUP, and it tests the POLLIN bit rather than comparing
the whole event mask, which would miss data that arrives together with
POLLHUP.

usage: article_reader.py PIPE COUNT > OUT
"""
import os
import select
import struct
import sys


def decode_msg_size(size_bytes: bytes) -> int:
    return struct.unpack("<I", size_bytes)[0]


def get_message(fifo: int) -> str:
    msg_size = decode_msg_size(os.read(fifo, 4))
    return os.read(fifo, msg_size).decode("utf8")


def main() -> int:
    count = int(sys.argv[2])
    fifo = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
    poll = select.poll()
    poll.register(fifo, select.POLLIN)
    got = 0
    try:
        while got < count:
            events = poll.poll(2000)
            if any(fd == fifo and ev & select.POLLIN for fd, ev in events):
                msg = get_message(fifo)
                print(msg)
                got += 1
            elif any(fd == fifo and ev & select.POLLHUP for fd, ev in events):
                print(f"article_reader: writer left after {got} of "
                      f"{count} messages", file=sys.stderr)
                return 1
    finally:
        os.close(fifo)
    return 0


if __name__ == "__main__":
    sys.exit(main())
