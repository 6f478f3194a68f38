/* Portability, in one place.  Every .c file in src/, and each test
 * program that calls POSIX, includes this first, before any system
 * header: feature-test macros only work that way.
 *
 * Which interfaces we ask the C library for.  We use POSIX.1-2008 plus
 * flock(), FIONREAD, and where they exist pipe2() and OFD locks.
 *  - glibc and musl show nothing beyond ISO C under -std=c11 unless a
 *    macro asks; _GNU_SOURCE asks for all of it, extensions included.
 *  - FreeBSD, OpenBSD, NetBSD and macOS show everything when no macro is
 *    given, and they ignore _GNU_SOURCE, so defining it costs nothing
 *    there.  _POSIX_C_SOURCE (or _XOPEN_SOURCE) would be wrong: it hides
 *    flock() and FIONREAD on those systems.  Never define either, here or
 *    with -D.
 * Guarded so that a file which still defines _GNU_SOURCE itself does not
 * redefine it. */
#ifndef FIFOMSG_COMPAT_H
#define FIFOMSG_COMPAT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

/* pipe2() is in Linux, the BSDs and POSIX.1-2024, not in macOS; without
 * it io_pipe() uses pipe() and fcntl().  OFD locks are Linux only; io.c
 * falls back to classic fcntl() locks where F_OFD_SETLK is missing or
 * refused (EINVAL).  -DFIFOMSG_NO_PIPE2 and -DFIFOMSG_NO_OFD (both set by
 * `make fallback`) force the fallbacks, so Linux tests can exercise them. */
#if !defined(FIFOMSG_NO_PIPE2) && !defined(__linux__) && \
	!defined(__FreeBSD__) && !defined(__NetBSD__) && \
	!defined(__OpenBSD__) && !defined(__DragonFly__)
#define FIFOMSG_NO_PIPE2
#endif

#endif
