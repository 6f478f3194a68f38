/* Messages and the options every entry point shares. */
#include "compat.h"
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fifomsg.h"

const char *progcmd = "fifomsg";

/* Format "fifomsg: CMD: text[: error]\n[usage: ...\n]" into one buffer and
 * write it once.  A message too long for one write loses the middle of its
 * text (most likely a long path), never its start, its reason or the usage
 * line. */
static void vsay(int err, const char *usage, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void vsay(int err, const char *usage, const char *fmt, va_list ap)
{
	char text[8192], end[1024], buf[2048];
	size_t t, e, n;
	int k;

	/* The dispatcher's own messages have no subcommand to name. */
	k = strcmp(progcmd, "fifomsg") == 0
	    ? snprintf(text, sizeof text, "fifomsg: ")
	    : snprintf(text, sizeof text, "fifomsg: %s: ", progcmd);
	t = k > 0 ? (size_t)k : 0;
	k = vsnprintf(text + t, sizeof text - t, fmt, ap);
	t += k > 0 ? (size_t)k : 0;
	if (t > sizeof text - 1)
		t = sizeof text - 1;
	k = snprintf(end, sizeof end, "%s%s%s%s\n", err ? ": " : "",
		     err ? strerror(err) : "", usage ? "\nusage: " : "",
		     usage ? usage : "");
	e = k > 0 ? (size_t)k : 0;
	if (e > sizeof end - 1) {
		e = sizeof end - 1;
		end[e - 1] = '\n';
	}
	n = t;
	if (t + e > sizeof buf) {
		size_t room = sizeof buf - e - 3, head = room / 2;
		memcpy(buf, text, head);
		memcpy(buf + head, "...", 3);
		memcpy(buf + head + 3, text + t - (room - head), room - head);
		n = room + 3;
	} else {
		memcpy(buf, text, t);
	}
	memcpy(buf + n, end, e);
	n += e;
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

/* "--name=value" given for a long option that takes no value: getopt_long
 * then puts the option's code in optopt, which may be a letter the user
 * never typed (or no option at all).  Returns its name, or NULL. */
static const char *no_value(const char *arg, const struct option *longs)
{
	const char *eq = strchr(arg, '=');
	size_t n;

	if (!longs || !optopt || arg[0] != '-' || arg[1] != '-' || !eq)
		return NULL;
	n = (size_t)(eq - arg - 2);
	for (; longs->name; longs++)
		if (longs->val == optopt && longs->has_arg == no_argument &&
		    strncmp(longs->name, arg + 2, n) == 0)
			return longs->name;
	return NULL;
}

/* "--ma" that begins the names of several long options: getopt_long
 * reports it as it does an unknown option.  Lists those names in buf
 * ("--max-size, --mode", in the table's order) and returns how many
 * there are; an exact name is no ambiguity. */
static int matches(const char *arg, const struct option *longs, char *buf,
		   size_t size)
{
	size_t n = strcspn(arg + 2, "="), len = 0;
	int found = 0, k;

	if (!longs || arg[0] != '-' || arg[1] != '-' || n == 0)
		return 0;
	for (; longs->name; longs++) {
		if (strncmp(longs->name, arg + 2, n) != 0)
			continue;
		if (longs->name[n] == '\0')
			return 0;
		k = snprintf(buf + len, size - len, "%s--%s",
			     found ? ", " : "", longs->name);
		if (k > 0 && (size_t)k < size - len)
			len += (size_t)k;
		found++;
	}
	return found;
}

int common_opt(int c, const char *usage, const char *help, char **argv,
	       const struct option *longs)
{
	/* musl leaves optind past the NULL that ends argv when the last
	 * option lacks its value. */
	const char *arg = optind > 0 && argv[optind - 1] ? argv[optind - 1]
							 : "", *name;
	char names[256];

	switch (c) {
	case 'h':
		return out("usage: ", usage, help);
	case 'V':
		return out("fifomsg ", FIFOMSG_VERSION, "\n");
	case ':':
		/* A short option's value is missing only at the end of its
		 * cluster ("-vn"): name the option, not the cluster. */
		if (arg[0] == '-' && arg[1] == '-')
			return usage_err(usage, "option %s needs a value", arg);
		return usage_err(usage, "option -%c needs a value", optopt);
	case '?':
		if ((name = no_value(arg, longs)))
			return usage_err(usage, "option --%s takes no value",
					 name);
		if (optopt)
			return usage_err(usage, "unknown option -%c", optopt);
		if (matches(arg, longs, names, sizeof names) > 1)
			return usage_err(usage, "ambiguous option '%.*s' (could "
					 "be %s)", (int)strcspn(arg, "="), arg,
					 names);
		return usage_err(usage, "unknown option %s", arg);
	}
	return -1;
}

/* The bad-value messages, one per kind of value. */
int opt_count(const char *usage, const char *arg, uint64_t *out)
{
	if (parse_count(arg, out))
		return usage_err(usage, "bad count '%s' (a whole number)", arg);
	return 0;
}

int opt_secs(const char *usage, const char *arg, int64_t *ms)
{
	if (parse_secs(arg, ms))
		return usage_err(usage, "bad timeout '%s' (seconds, e.g. 5 or "
				 "0.5)", arg);
	return 0;
}

int opt_size(const char *usage, const char *arg, uint64_t *out)
{
	if (parse_size(arg, out))
		return usage_err(usage, "bad size '%s' (0 to 4G-1; suffix K, "
				 "M or G)", arg);
	return 0;
}

int opt_mode(const char *usage, const char *arg, mode_t *out)
{
	if (parse_mode(arg, out))
		return usage_err(usage, "bad mode '%s' (octal, e.g. 600)", arg);
	return 0;
}

void print_summary(uint64_t n, const uint64_t *bytes, int64_t ms)
{
	double secs = (double)ms / 1000;
	char b[32] = "";

	if (bytes)
		snprintf(b, sizeof b, ", %llu bytes",
			 (unsigned long long)*bytes);
	if (secs > 0)
		warnx_("%llu messages%s, %.3f s, %.0f messages/s",
		       (unsigned long long)n, b, secs, (double)n / secs);
	else
		warnx_("%llu messages%s, %.3f s", (unsigned long long)n, b,
		       secs);
}
