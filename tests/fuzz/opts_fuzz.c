/* libFuzzer harness for the recv/listen command line (rx_options in
 * src/rxopt.c, with the value parsers and the messages of src/util.c).
 *
 * Input: byte 0 chooses recv (even) or listen (odd); the rest is split at
 * NUL bytes into at most 64 arguments.  Whatever the arguments, the parse
 * ends in 0 (-h, -V), 2 (usage error, message on stderr) or -1 (go on),
 * and going on implies a consistent configuration: one or more operands,
 * all of them in paths, "-" only alone and then with end of input, one
 * output format, values in range, -m only with -c, -e only for listen
 * (or implied by "-"), --stop-on-error only with --exec.  Run it with
 * -close_fd_mask=3: help and messages go nowhere. */
#include "compat.h"
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fifomsg.h"
#include "receive.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)
#define MAXARGS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAXARGS + 2], *buf, *p, *end;
	struct rxopt o;
	int argc = 0, listen, r;

	if (size < 1)
		return 0;
	listen = data[0] & 1;
	/* An exact-size copy, NUL-terminated, split in place at NULs. */
	buf = malloc(size);
	CHECK(buf);
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	argv[argc++] = listen ? "listen" : "recv";
	for (p = buf, end = buf + size - 1; argc <= MAXARGS; p += strlen(p) + 1) {
		argv[argc++] = p;
		if (p + strlen(p) >= end)
			break;
	}
	argv[argc] = NULL;
	progcmd = argv[0];
	optind = 0;	/* glibc: start a fresh parse */
	r = rx_options(argc, argv, &o, "usage", "help\n", listen);
	CHECK(r == -1 || r == 0 || r == 1 || r == 2);
	if (r == -1) {
		int dash = strcmp(o.path, "-") == 0;

		CHECK(optind < argc);
		CHECK(o.npipes == argc - optind);
		CHECK(o.path == argv[optind]);
		CHECK(o.paths == argv + optind);
		CHECK(!dash || (o.npipes == 1 && o.eof && !o.create));
		CHECK(o.format && strchr("\n0rjxf", o.format));
		CHECK((o.format == 'x') == (o.exec != NULL));
		CHECK(!o.stop_on_error || o.exec);
		CHECK(o.max <= UINT32_MAX);
		CHECK(o.mode <= 0777);
		CHECK(!o.mode_set || o.create);
		CHECK(listen || dash || !o.eof);
		CHECK(o.listen == listen);
		CHECK(o.timeout >= -1);
	}
	rx_free(&o);
	free(buf);
	return 0;
}
