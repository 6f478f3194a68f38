/* Messages and the options every entry point shares. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fifomsg.h"

const char *progcmd = "fifomsg";

/* Format "fifomsg: CMD: text[: error]\n[usage: ...\n]" into one buffer and
 * write it once; a message too long for the buffer is cut, never split. */
static void vsay(int err, const char *usage, const char *fmt, va_list ap)
{
	char buf[2048];
	size_t n;
	int k;

	/* The dispatcher's own messages have no subcommand to name. */
	k = strcmp(progcmd, "fifomsg") == 0
	    ? snprintf(buf, sizeof buf, "fifomsg: ")
	    : snprintf(buf, sizeof buf, "fifomsg: %s: ", progcmd);
	n = k > 0 ? (size_t)k : 0;
	k = vsnprintf(buf + n, sizeof buf - n, fmt, ap);
	n += k > 0 ? (size_t)k : 0;
	if (err && n < sizeof buf)
		n += (size_t)snprintf(buf + n, sizeof buf - n, ": %s",
				      strerror(err));
	if (usage && n < sizeof buf)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "\nusage: %s",
				      usage);
	if (n > sizeof buf - 2)
		n = sizeof buf - 2;
	buf[n++] = '\n';
	if (write(STDERR_FILENO, buf, n) < 0) {
		/* Nowhere left to report it. */
	}
}

void warnx_(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(0, NULL, fmt, ap);
	va_end(ap);
}

void warn_(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vsay(err, NULL, fmt, ap);
	va_end(ap);
}

int usage_err(const char *usage, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(0, usage, fmt, ap);
	va_end(ap);
	return FM_USAGE;
}

static int out(const char *a, const char *b, const char *c)
{
	if (printf("%s%s%s", a, b, c) < 0 || fflush(stdout) == EOF) {
		warn_("write error on standard output");
		return FM_FAIL;
	}
	return FM_OK;
}

int common_opt(int c, const char *usage, const char *help, char **argv)
{
	switch (c) {
	case 'h':
		return out("usage: ", usage, help);
	case 'V':
		return out("fifomsg ", FIFOMSG_VERSION, "\n");
	case ':':
		return usage_err(usage, "option %s needs a value",
				 argv[optind - 1]);
	case '?':
		if (optopt)
			return usage_err(usage, "unknown option -%c", optopt);
		return usage_err(usage, "unknown option %s", argv[optind - 1]);
	}
	return -1;
}
