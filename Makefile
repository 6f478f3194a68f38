# fifomsg: whole messages over named pipes.  POSIX make: GNU and BSD make
# both read it.
VERSION = 0.1.0
PREFIX = /usr/local
BINDIR = $(PREFIX)/bin
MANDIR = $(PREFIX)/share/man
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR = $(PREFIX)/share/zsh/site-functions
DESTDIR =
# The binary that install puts in place (e.g. build/fifomsg-static).
BIN = fifomsg

CC = cc
CFLAGS = -O2
LDFLAGS =
# fifomsg links statically where the C library allows it, and else
# dynamically: with no dynamic loader to run, a one-message send starts in
# two thirds of the time (about 1 ms less per run, most of its cost).
# STATIC= always links dynamically.
STATIC = -static
WARN = -std=c11 -Wall -Wextra -Wpedantic \
	-Wshadow -Wconversion -Werror
DEFS = -DFIFOMSG_VERSION='"$(VERSION)"'
# SCALAR=1: the portable word-at-a-time scanner instead of SSE2/NEON.
SCALAR =
SCALAR_DEFS_1 = -DFIFOMSG_SCALAR
DEFS += $(SCALAR_DEFS_$(SCALAR))

SRCS = src/main.c src/util.c src/args.c src/frame.c src/io.c \
	src/send.c src/receive.c src/rxopt.c src/recv.c src/listen.c src/mkpipe.c \
	src/json.c src/exec.c src/hex.c src/template.c src/tally.c \
	src/writer.c src/sendin.c \
	src/publish.c src/subscribe.c src/request.c src/serve.c \
	src/fanout.c src/deliver.c src/out.c src/emit.c src/pipefile.c
HDRS = src/fifomsg.h src/frame.h src/io.h src/receive.h src/json.h src/exec.h \
	src/hex.h src/template.h src/scan.h src/tally.h src/writer.h src/sendin.h \
	src/sink.h src/fanout.h src/deliver.h src/out.h src/emit.h src/pipefile.h
OBJS = $(SRCS:.c=.o)

all: fifomsg

fifomsg: $(OBJS)
	$(CC) $(LDFLAGS) $(STATIC) -o $@ $(OBJS) 2>/dev/null || \
		$(CC) $(LDFLAGS) -o $@ $(OBJS)

$(OBJS): $(HDRS) Makefile
# The feature-test macros and portability switches (see there).
$(OBJS): src/compat.h

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
build/fifomsg-static: $(SRCS) $(HDRS) src/compat.h
	mkdir -p build
	musl-gcc -static $(WARN) $(DEFS) -O2 -o $@ $(SRCS)
	@ls -l $@

# Every portable path forced on at once, as on macOS, a BSD or an older
# kernel without SSE2: pipe() and fcntl() for pipe2(), classic fcntl()
# locks for OFD locks, the polling drain for inotify, and the word-loop
# delimiter scanner for SSE2/NEON.  One build, so CI runs the delivery
# tests once for all of them.
fallback: build/fifomsg-fallback
build/fifomsg-fallback: $(SRCS) $(HDRS) src/compat.h
	mkdir -p build
	$(CC) $(WARN) $(DEFS) -DFIFOMSG_NO_PIPE2 -DFIFOMSG_NO_OFD \
		-DFIFOMSG_NO_INOTIFY -DFIFOMSG_SCALAR $(CFLAGS) -o $@ $(SRCS)

# CI's build matrix, besides lint (gcc and clang) and test-asan: the
# static musl binary on the subcommands' test files, where libc shows
# (options, output, signals; errors.bats compares glibc's messages: see
# README, Portability), and the fallback build on the delivery tests.
# The delivery tests already run against four other builds in CI, so not
# against musl too: CI's time is the limit.
MATRIX_TESTS = tests/dispatch.bats tests/mkpipe.bats tests/send.bats \
	tests/recv.bats tests/listen.bats tests/formats.bats
matrix: static fallback
	FIFOMSG=`pwd`/build/fifomsg-static bats $(MATRIX_TESTS)
	FIFOMSG=`pwd`/build/fifomsg-fallback bats tests/delivery.bats \
		tests/send.bats tests/listen.bats

# install puts in place $(BIN), a link to it for each name that
# `$(BIN) --list` prints (a new subcommand needs no change here), the man
# pages in man/ with a page link for each link name, and the bash and zsh
# completions.  It replaces only what is ours (see OURS) and checks every
# path before it writes one; uninstall removes only what is ours and
# leaves directories, which other software may share.
#
# OURS defines `ours PATH`: true if PATH is absent or ours.  Ours are: a
# symbolic link to fifomsg or to a fifomsg page; in $(BINDIR), only
# fifomsg itself, and only if it answers --version as fifomsg; elsewhere
# (man pages, completions) a file that names fifomsg.  Another program
# called fifomsg is refused at its binary, which is checked first.
OURS = ours() { \
	if [ -h "$$1" ]; then \
		case `readlink "$$1"` in fifomsg | fifomsg*.1) return 0 ;; esac; \
		return 1; \
	fi; \
	[ -e "$$1" ] || return 0; \
	[ -f "$$1" ] || return 1; \
	case $$1 in \
	"$(DESTDIR)$(BINDIR)/fifomsg") \
		"$$1" --version </dev/null 2>/dev/null | grep -q '^fifomsg ' ;; \
	"$(DESTDIR)$(BINDIR)"/*) return 1 ;; \
	*) grep -q fifomsg "$$1" ;; \
	esac; \
}
# plan (in install) prints what goes where, one a line: "f MODE SOURCE
# PATH" (a copy) or "l TARGET - PATH" (a symbolic link).
install: $(BIN)
	@$(OURS); \
	case "$(BIN)" in */*) bin="$(BIN)" ;; *) bin="./$(BIN)" ;; esac; \
	links=`"$$bin" --list` && [ -n "$$links" ] || exit 1; \
	plan() { \
		echo "f 755 $$bin $(BINDIR)/fifomsg"; \
		for l in $$links; do echo "l fifomsg - $(BINDIR)/$$l"; done; \
		for p in man/*.1; do \
			echo "f 644 $$p $(MANDIR)/man1/$${p#man/}"; \
		done; \
		for l in $$links; do \
			p=fifomsg-$${l#fifo-}.1; \
			[ -f "man/$$p" ] || p=fifomsg.1; \
			echo "l $$p - $(MANDIR)/man1/$$l.1"; \
		done; \
		echo "f 644 completion/fifomsg.bash $(BASHCOMPDIR)/fifomsg"; \
		for l in $$links; do echo "l fifomsg - $(BASHCOMPDIR)/$$l"; done; \
		echo "f 644 completion/_fifomsg $(ZSHCOMPDIR)/_fifomsg"; \
	}; \
	plan | while read -r kind a b path; do \
		ours "$(DESTDIR)$$path" && continue; \
		echo "install: refusing to replace $(DESTDIR)$$path:" \
			"not installed by fifomsg" >&2; \
		exit 1; \
	done || exit 1; \
	plan | while read -r kind a b path; do \
		dst="$(DESTDIR)$$path"; \
		mkdir -p "$${dst%/*}" || exit 1; \
		if [ "$$kind" = f ]; then \
			tmp="$$dst.$$$$"; \
			cp "$$b" "$$tmp" && chmod "$$a" "$$tmp" && \
			mv -f "$$tmp" "$$dst" || exit 1; \
			echo "installed $$dst"; \
		else \
			rm -f "$$dst" && ln -s "$$a" "$$dst" || exit 1; \
			echo "linked    $$dst -> $$a"; \
		fi; \
	done

# Removes, of the paths fifomsg installs or installed, those that are ours.
uninstall:
	@$(OURS); \
	for f in "$(DESTDIR)$(BINDIR)"/fifomsg "$(DESTDIR)$(BINDIR)"/fifo-* \
		"$(DESTDIR)$(MANDIR)"/man1/fifomsg.1 \
		"$(DESTDIR)$(MANDIR)"/man1/fifomsg-*.1 \
		"$(DESTDIR)$(MANDIR)"/man1/fifo-*.1 \
		"$(DESTDIR)$(BASHCOMPDIR)"/fifomsg \
		"$(DESTDIR)$(BASHCOMPDIR)"/fifo-* \
		"$(DESTDIR)$(ZSHCOMPDIR)"/_fifomsg; do \
		[ -e "$$f" ] || [ -h "$$f" ] || continue; \
		if ours "$$f"; then \
			rm -f "$$f" || exit 1; \
			echo "removed   $$f"; \
		else \
			echo "uninstall: kept $$f: not installed by fifomsg" >&2; \
		fi; \
	done

clean:
	rm -rf fifomsg $(OBJS) build

.PHONY: all test check stress bench bench-scan lint test-asan fuzz static \
	fallback matrix install uninstall clean scan-check scalar
