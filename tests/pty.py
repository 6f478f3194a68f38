#!/usr/bin/env python3
"""Run a command with its standard input on a pseudo-terminal.

usage: pty.py CMD [ARG...]

The terminal is in canonical mode with echo off, as at a shell prompt.
Whatever arrives on this program's standard input is typed into the
terminal as soon as it arrives, so a test can type a line, look at what
the command did with it, then type the next.  At the end of this
program's input it types the end-of-file character (^D) and exits with
the command's status (128 + N if signal N killed it).
"""
import os
import select
import subprocess
import sys
import termios


def main(argv):
    if len(argv) < 2:
        sys.stderr.write("usage: pty.py CMD [ARG...]\n")
        return 2
    master, slave = os.openpty()
    attrs = termios.tcgetattr(slave)
    attrs[3] = (attrs[3] | termios.ICANON) & ~termios.ECHO
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    eof = attrs[6][termios.VEOF]
    child = subprocess.Popen(argv[1:], stdin=slave, start_new_session=True)
    os.close(slave)
    watch = [0, master]
    while True:
        ready, _, _ = select.select(watch, [], [])
        if master in ready:
            try:
                os.read(master, 4096)   # nothing is echoed; just drain
            except OSError:             # the command has closed it
                watch.remove(master)
        if 0 in ready:
            data = os.read(0, 4096)
            if not data:
                break
            while data:
                data = data[os.write(master, data):]
    os.write(master, eof if isinstance(eof, bytes) else bytes([eof]))
    status = child.wait()
    os.close(master)
    return 128 - status if status < 0 else status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
