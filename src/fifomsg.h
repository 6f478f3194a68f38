/* Declarations shared by the subcommands: exit codes, messages, option
 * values.  The wire format lives in frame.h, the pipe I/O in io.h. */
#ifndef FIFOMSG_H
#define FIFOMSG_H

#include <stdint.h>
#include <sys/types.h>

/* Exit codes: the same for every subcommand, documented in fifomsg(1). */
enum {
	FM_OK = 0,
	FM_FAIL = 1,		/* missing pipe, not a FIFO, I/O error */
	FM_USAGE = 2,		/* bad option or value */
	FM_TIMEOUT = 3,		/* -t expired before the work was done */
	FM_MALFORMED = 4,	/* bad, oversized or truncated frame */
	FM_NOCMD = 127		/* unknown subcommand or link name */
};

#define DEFAULT_MAX_SIZE (64u << 20)

/* The subcommand running, for "fifomsg: NAME: ..." messages. */
extern const char *progcmd;

int mkpipe_main(int argc, char **argv);
int send_main(int argc, char **argv);
int recv_main(int argc, char **argv);
int listen_main(int argc, char **argv);
int publish_main(int argc, char **argv);
int subscribe_main(int argc, char **argv);
int request_main(int argc, char **argv);
int serve_main(int argc, char **argv);

/* Each message is formatted whole and written with one write(2), so lines
 * from concurrent processes never interleave. */
void warnx_(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
void warn_(const char *fmt, ...)	/* appends ": strerror(errno)" */
	__attribute__((format(printf, 1, 2)));
/* Prints the message and a usage line; returns FM_USAGE. */
int usage_err(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The end of every subcommand's getopt_long table: -v and the options
 * common_opt() handles. */
#define LONGS_END \
	{ "verbose", no_argument, NULL, 'v' }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ "version", no_argument, NULL, 'V' }, \
	{ NULL, 0, NULL, 0 }

/* Options every entry point has.  Returns an exit code when the option was
 * one of them (-h, -V, or a getopt error), -1 otherwise.  longs (may be
 * NULL) is the getopt_long table, to name a long option in errors. */
struct option;
int common_opt(int c, const char *usage, const char *help, char **argv,
	       const struct option *longs);

/* Option values: 0 on success, -1 on a malformed or out-of-range value. */
int parse_count(const char *s, uint64_t *out);	/* 0 .. 2^63 */
int parse_secs(const char *s, int64_t *ms);	/* "1.5" -> 1500, rounded up */
int parse_size(const char *s, uint64_t *out);	/* N[KMG], at most 4 GiB - 1 */
int parse_mode(const char *s, mode_t *out);	/* octal, at most 0777 */

/* The same, for an option's value: 0, or FM_USAGE once the bad value is
 * reported ("bad timeout '1x' (seconds, e.g. 5 or 0.5)") with usage. */
int opt_count(const char *usage, const char *arg, uint64_t *out);
int opt_secs(const char *usage, const char *arg, int64_t *ms);
int opt_size(const char *usage, const char *arg, uint64_t *out);
int opt_mode(const char *usage, const char *arg, mode_t *out);

/* -v: "N messages[, B bytes], S s[, R messages/s]" on standard error, for
 * n messages (and bytes, unless NULL) in ms milliseconds. */
void print_summary(uint64_t n, const uint64_t *bytes, int64_t ms);

#endif
