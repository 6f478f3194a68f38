/* Test driver for the I/O-free text modules (src/template.c, src/json.c's
 * decoder, src/hex.c), so bats can check exact output and error positions
 * before the subcommands use them.
 *
 *   tplcheck render FMT PIPE SEQ SEC NSEC [PIECE]
 *	the payload is all of stdin; print its rendering.  With PIECE > 0
 *	it is streamed (tpl_begin, tpl_data in PIECE-byte pieces, tpl_end,
 *	a second payload directive read back from a copy), else given whole
 *	to tpl_render.  A bad FMT: the error on stderr, exit 2.
 *   tplcheck stream FMT LEN
 *	as the receiver will: stdin (LEN bytes) read in 64 KiB pieces and
 *	rendered as they come, never held whole; FMT may name the payload
 *	once at most.  For measuring memory use.
 *   tplcheck delim FMT	print tpl_delim's answer
 *   tplcheck json|hex	decode each line of stdin (send --json / --hex)
 *	and print it followed by a newline; at the first bad line print
 *	"line N, column C: reason" on stderr and exit 4. */
#include "compat.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hex.h"
#include "json.h"
#include "template.h"

static void to_stdout(void *ctx, const void *p, size_t n)
{
	(void)ctx;
	fwrite(p, 1, n, stdout);
}

static unsigned char *slurp(size_t *n)
{
	size_t cap = 1 << 16;
	unsigned char *b = malloc(cap), *nb;
	size_t k;

	*n = 0;
	while (b && (k = fread(b + *n, 1, cap - *n, stdin)) > 0) {
		*n += k;
		if (*n == cap) {
			nb = realloc(b, cap *= 2);
			if (!nb)
				free(b);
			b = nb;
		}
	}
	if (!b)
		exit(1);
	return b;
}

static int copy_back(void *ctx, uint64_t off, void *buf, size_t n)
{
	memcpy(buf, (unsigned char *)ctx + off, n);
	return 0;
}

static int render(char **av)
{
	struct tpl t;
	struct tpl_msg m;
	struct tpl_run r;
	struct tpl_sink out = { to_stdout, NULL };
	char err[128];
	size_t n, piece = av[6] ? strtoul(av[6], NULL, 10) : 0, k;
	unsigned char *p;

	if (tpl_compile(av[1], &t, err, sizeof err)) {
		fprintf(stderr, "tplcheck: bad --format: %s\n", err);
		return 2;
	}
	p = slurp(&n);
	memset(&m, 0, sizeof m);
	m.len = n;
	m.pipe = av[2];
	m.seq = strtoull(av[3], NULL, 10);
	m.at.tv_sec = (time_t)strtoll(av[4], NULL, 10);
	m.at.tv_nsec = strtol(av[5], NULL, 10);
	if (!piece) {
		tpl_render(&t, &m, p, out);
	} else {
		m.reread = copy_back;
		m.rctx = p;
		tpl_begin(&r, &t, &m, out);
		for (size_t off = 0; off < n; off += k) {
			k = n - off < piece ? n - off : piece;
			tpl_data(&r, p + off, k);
		}
		if (tpl_end(&r))
			return 1;
	}
	free(p);
	tpl_free(&t);
	return 0;
}

static int stream(char **av)
{
	static unsigned char buf[1 << 16];
	struct tpl t;
	struct tpl_msg m;
	struct tpl_run r;
	struct tpl_sink out = { to_stdout, NULL };
	char err[128];
	size_t k;

	if (tpl_compile(av[1], &t, err, sizeof err) || t.npayload > 1)
		return 2;
	memset(&m, 0, sizeof m);
	m.len = strtoull(av[2], NULL, 10);
	m.pipe = "-";
	m.seq = 1;
	tpl_begin(&r, &t, &m, out);
	while ((k = fread(buf, 1, sizeof buf, stdin)) > 0)
		tpl_data(&r, buf, k);
	k = (size_t)tpl_end(&r);
	tpl_free(&t);
	return k ? 1 : 0;
}

static int decode(int json)
{
	char *line = NULL;
	size_t cap = 0, col = 0, no = 0;
	const char *why = "";
	ssize_t n, k;

	while ((n = getline(&line, &cap, stdin)) >= 0) {
		no++;
		if (n > 0 && line[n - 1] == '\n')
			n--;
		k = json ? json_decode(line, (size_t)n, (unsigned char *)line,
				       &col, &why)
			 : hex_decode(line, (size_t)n, (unsigned char *)line,
				      &col, &why);
		if (k < 0) {
			fflush(stdout);
			fprintf(stderr, "line %zu, column %zu: %s\n", no, col,
				why);
			free(line);
			return 4;
		}
		fwrite(line, 1, (size_t)k, stdout);
		putchar('\n');
	}
	free(line);
	return 0;
}

int main(int argc, char **argv)
{
	struct tpl t;
	char err[128];

	if (argc >= 7 && !strcmp(argv[1], "render"))
		return render(argv + 1);
	if (argc == 4 && !strcmp(argv[1], "stream"))
		return stream(argv + 1);
	if (argc == 3 && !strcmp(argv[1], "delim")) {
		if (tpl_compile(argv[2], &t, err, sizeof err))
			return 2;
		printf("%d\n", tpl_delim(&t));
		tpl_free(&t);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "json"))
		return decode(1);
	if (argc == 2 && !strcmp(argv[1], "hex"))
		return decode(0);
	fprintf(stderr, "usage: tplcheck render FMT PIPE SEQ SEC NSEC [PIECE]"
		" | stream FMT LEN\n\t| delim FMT | json | hex\n");
	return 2;
}
