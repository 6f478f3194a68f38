# fifomsg: whole messages over named pipes.
VERSION = 0.1.0
PREFIX = /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
DESTDIR =

CC = cc
CFLAGS = -O2
LDFLAGS =
WARN = -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Wpedantic \
	-Wshadow -Wconversion -Werror
DEFS = -DFIFOMSG_VERSION='"$(VERSION)"'
# SCALAR=1: the portable word-at-a-time scanner instead of SSE2/NEON.
SCALAR =
SCALAR_DEFS_1 = -DFIFOMSG_SCALAR
DEFS += $(SCALAR_DEFS_$(SCALAR))

SRCS = src/main.c src/util.c src/args.c src/frame.c src/io.c \
	src/send.c src/receive.c src/recv.c src/listen.c src/mkpipe.c \
	src/json.c src/exec.c src/hex.c src/template.c src/out.c src/emit.c \
	src/pipefile.c
HDRS = src/fifomsg.h src/frame.h src/io.h src/receive.h src/json.h src/exec.h \
	src/hex.h src/template.h src/scan.h src/out.h src/emit.h src/pipefile.h
OBJS = $(SRCS:.c=.o)

all: fifomsg

fifomsg: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $(OBJS)

$(OBJS): $(HDRS) Makefile

.c.o:
	$(CC) $(WARN) $(DEFS) $(CFLAGS) -c -o $@ $<

# A driver for the text modules' tests (tests/template.bats).
UNIT_SRCS = tests/unit/tplcheck.c src/template.c src/json.c src/hex.c
build/tplcheck: $(UNIT_SRCS) $(HDRS)
	mkdir -p build
	$(CC) $(WARN) -Isrc $(CFLAGS) -o $@ $(UNIT_SRCS)

# The README's test command.
test check: fifomsg
	bats tests

# The delivery guarantees at 10-100x the test suite's size.
stress: fifomsg
	tests/stress/run

bench: fifomsg
	tests/bench/run

# The delimiter scanner's loops in memory: instructions and ns per byte.
bench-scan:
	tests/bench/scan

# The delimiter scanner against memchr(), SIMD and word loops (SCALAR=1:
# the word loop alone), then the portable build for the core tests.
scan-check:
	mkdir -p build
	$(CC) $(WARN) $(DEFS) $(CFLAGS) -DSCAN_MAIN -Isrc \
		-o build/scan-check tests/fuzz/scan_fuzz.c
	build/scan-check
scalar: build/scalar/fifomsg
build/scalar/fifomsg: $(SRCS) $(HDRS)
	mkdir -p build/scalar
	$(CC) $(WARN) $(DEFS) -DFIFOMSG_SCALAR $(CFLAGS) $(LDFLAGS) -o $@ \
		$(SRCS)

# Warnings from two compilers, gcc's analyzer, cppcheck, shellcheck.
lint:
	tests/tools/lint

# The whole suite against an ASan+UBSan build, then valgrind on a subset.
test-asan:
	tests/tools/asan

# libFuzzer on the frame decoder and the option parsers (FUZZ_SECS each).
FUZZ_SECS = 60
fuzz:
	FUZZ_SECS=$(FUZZ_SECS) tests/fuzz/run

# A static musl build: a portability check on glibc-isms.
static: build/fifomsg-static
build/fifomsg-static: $(SRCS) $(HDRS)
	mkdir -p build
	musl-gcc -static $(WARN) $(DEFS) -O2 -o $@ $(SRCS)
	@ls -l $@

install: fifomsg
	PREFIX="$(PREFIX)" BINDIR="$(BINDIR)" MANDIR="$(MANDIR)" \
	DESTDIR="$(DESTDIR)" sh ./install.sh

uninstall:
	PREFIX="$(PREFIX)" BINDIR="$(BINDIR)" MANDIR="$(MANDIR)" \
	DESTDIR="$(DESTDIR)" sh ./install.sh --uninstall

clean:
	rm -rf fifomsg $(OBJS) build

.PHONY: all test check stress bench bench-scan lint test-asan fuzz static install \
	uninstall clean scan-check scalar
