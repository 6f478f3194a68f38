# fifomsg: whole messages over named pipes.
VERSION = 0.1.0
PREFIX = /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
DESTDIR =

CC ?= cc
CFLAGS ?= -O2
WARN = -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wpedantic \
	-Wshadow -Wconversion -Werror
ALL_CFLAGS = $(WARN) -DFIFOMSG_VERSION='"$(VERSION)"' $(CFLAGS)

SRCS = src/main.c src/util.c src/args.c src/frame.c src/io.c \
	src/send.c src/receive.c src/recv.c src/listen.c src/mkpipe.c
OBJS = $(SRCS:.c=.o)

all: fifomsg

fifomsg: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $(OBJS)

src/%.o: src/%.c src/fifomsg.h src/frame.h src/io.h src/receive.h Makefile
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

test check: fifomsg
	bats tests

clean:
	rm -f fifomsg $(OBJS)

.PHONY: all test check clean
