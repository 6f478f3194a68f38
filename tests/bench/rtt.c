/* Round-trip client for the latency benchmark.
 *
 *   rtt frame|line PIPE COUNT WARMUP
 *
 * Opens PIPE O_WRONLY and, WARMUP + COUNT times, writes one short message
 * into it with a single write(2) (as a frame: 4-byte little-endian length
 * and payload, or as a line), then reads the echo back from standard input
 * as one line and checks it is the same payload.  Only after the echo has
 * arrived does the next message go out, so exactly one message is ever in
 * flight.  Prints the COUNT timed round trips' statistics in microseconds:
 *
 *   n=COUNT median=US p99=US min=US max=US mean=US
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* One line from fd 0 into line[], without the newline; -1 at EOF/error.
 * Reads byte runs as they come; with one message in flight nothing past
 * the newline can arrive. */
static long read_line(char *line, size_t cap)
{
	size_t n = 0;

	for (;;) {
		ssize_t k = read(0, line + n, cap - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		n += (size_t)k;
		if (line[n - 1] == '\n')
			return (long)n - 1;
		if (n == cap)
			return -1;
	}
}

int main(int argc, char **argv)
{
	char msg[64], line[256];
	unsigned char out[68];
	long count, warm, i;
	int64_t *rt, sum = 0;
	int fd, frame;

	if (argc != 5 || (strcmp(argv[1], "frame") && strcmp(argv[1], "line"))) {
		fprintf(stderr, "usage: rtt frame|line PIPE COUNT WARMUP\n");
		return 2;
	}
	frame = argv[1][0] == 'f';
	count = atol(argv[3]);
	warm = atol(argv[4]);
	if (count < 1 || warm < 0) {
		fprintf(stderr, "rtt: bad COUNT or WARMUP\n");
		return 2;
	}
	rt = malloc((size_t)count * sizeof *rt);
	if (!rt) {
		perror("rtt: malloc");
		return 1;
	}
	fd = open(argv[2], O_WRONLY);
	if (fd < 0) {
		perror(argv[2]);
		free(rt);
		return 1;
	}
	for (i = 0; i < warm + count; i++) {
		long len = snprintf(msg, sizeof msg, "round trip %08ld", i), got;
		int64_t t0;

		if (frame) {
			out[0] = (unsigned char)len;
			out[1] = out[2] = out[3] = 0;
			memcpy(out + 4, msg, (size_t)len);
		} else {
			memcpy(out, msg, (size_t)len);
			out[len] = '\n';
		}
		t0 = now_ns();
		if (write(fd, out, (size_t)len + (frame ? 4 : 1)) !=
		    len + (frame ? 4 : 1)) {
			perror("rtt: write");
			free(rt);
			return 1;
		}
		got = read_line(line, sizeof line);
		if (i >= warm)
			rt[i - warm] = now_ns() - t0;
		if (got != len || memcmp(line, msg, (size_t)len)) {
			fprintf(stderr, "rtt: message %ld: %s\n", i,
				got < 0 ? "no echo (end of input)"
					: "echo differs from what was sent");
			free(rt);
			return 1;
		}
	}
	close(fd);
	for (i = 0; i < count; i++)
		sum += rt[i];
	qsort(rt, (size_t)count, sizeof *rt, cmp64);
	printf("n=%ld median=%.1f p99=%.1f min=%.1f max=%.1f mean=%.1f\n",
	       count, (double)rt[count / 2] / 1e3,
	       (double)rt[(count * 99 + 99) / 100 - 1] / 1e3,
	       (double)rt[0] / 1e3, (double)rt[count - 1] / 1e3,
	       (double)sum / (double)count / 1e3);
	free(rt);
	return 0;
}
