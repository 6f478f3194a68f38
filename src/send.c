/* fifomsg send: stdin lines (or NUL records, or all of stdin, or a frame
 * stream), or the arguments, as framed messages into a FIFO.
 *
 * Small frames are packed into batches of at most PIPE_BUF bytes, each
 * written with one write(2): the kernel never splits or interleaves such
 * a write, so no frame is torn even by writers that take no lock.  A
 * frame too big for that is written under an exclusive writer lock.  The
 * batch goes out whenever input would block, so an interactive line is
 * sent at once while a burst still travels in full batches.  Before it
 * exits, send waits until readers have taken everything: bytes still in
 * the FIFO when its last descriptor closes are destroyed. */
#define _GNU_SOURCE	/* getopt_long */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fifomsg.h"
#include "frame.h"
#include "io.h"
#include "tally.h"

static const char usage[] =
	"fifomsg send [-0 | -r | -w] [-v] [-t SECS] [--max-size N] "
	"[--no-wait] [--follow] PIPE [MESSAGE...]";
static const char help[] =
	"\n\n"
	"Send each MESSAGE, or else each line of standard input, as one\n"
	"message; wait until readers have taken them all.\n"
	"\n"
	"  -0, --null        input records end in NUL, not newline\n"
	"  -r, --raw         input is a stream of frames (listen -r output)\n"
	"  -w, --whole       all of standard input is one message\n"
	"  -t, --timeout SECS  give up (exit 3) when no reader takes\n"
	"                    anything for SECS seconds (decimals allowed)\n"
	"      --max-size N  largest message accepted (default 64M; K, M, G)\n"
	"      --no-wait     exit once written; do not wait for readers\n"
	"      --follow      open PIPE even if it is a symbolic link\n"
	"  -v, --verbose     print a summary on standard error at exit\n"
	"  -h, --help        this help\n"
	"  -V, --version     print the version\n";

#define INBUF (64 * 1024)
/* Batches are staged and written back to back, NSEG at a time: the
 * first write wakes the reader, and by the time it runs the next ones are
 * there too, so it wakes once for several.  Each write stays one batch,
 * so each stays atomic. */
#define NSEG 16

static struct {
	int fd;
	int64_t timeout;	/* ms, -1: none */
	uint64_t max;
	size_t pbuf;		/* PIPE_BUF: largest untorn write */
	unsigned char *batch;	/* NSEG batches of up to pbuf bytes */
	size_t blen;		/* bytes in batch */
	size_t bcommit;		/* of which whole frames (raw mode) */
	size_t seg;		/* where the batch being filled starts */
	size_t ends[NSEG];	/* where the filled batches end */
	size_t nseg;
	uint64_t made;		/* messages taken from the input */
	struct tally tally;	/* where each message staged whole ends */
	uint64_t bytes;		/* bytes written */
	int shared;		/* holding the writer lock shared */
	int err;		/* exit code once input fails */
} s;

/* Bytes of ours that readers have surely read: all we wrote but what the
 * pipe still holds.  Other writers' bytes queued in the pipe make this a
 * lower bound.  Where the queue cannot be seen, everything written counts
 * as gone, as it does for the drain. */
static uint64_t gone(void)
{
	long q = io_queued(s.fd);

	if (q < 0)
		return s.bytes;
	return (uint64_t)q < s.bytes ? s.bytes - (uint64_t)q : 0;
}

/* Account for one message whose last byte goes out at offset end. */
static int count_msg(uint64_t end)
{
	if (tally_full(&s.tally) && tally_trim(&s.tally, gone())) {
		warn_("malloc");
		return s.err = FM_FAIL;
	}
	tally_add(&s.tally, end);
	return 0;
}

static int io_fail(int r, const char *what)
{
	if (r == IO_ERR)
		warn_("%s", what);
	return r;
}

/* The shared lock is kept from one batch to the next while input keeps
 * coming, and let go before anything that may wait on the input: a lock
 * and an unlock per 4 KiB batch would double the system calls. */
static void unlock_shared(void)
{
	if (s.shared)
		io_unlock_writer(s.fd);
	s.shared = 0;
}

static int write_batch(size_t from, size_t to)
{
	int r = 0;

	if (to == from)
		return 0;
	if (!s.shared) {
		r = io_lock_writer(s.fd, 0, io_deadline(s.timeout));
		s.shared = r == 0;
	}
	if (r == 0)
		r = io_write_all(s.fd, s.batch + from, to - from, s.timeout, 0,
				 NULL);
	if (r) {
		unlock_shared();
		return io_fail(r, "write");
	}
	s.bytes += to - from;
	return 0;
}

/* Write the staged batches, whole frames only (raw mode may hold the
 * start of one), and keep any rest for the next batch. */
static int flush_batch(void)
{
	size_t from = 0, i;
	int r = 0;

	for (i = 0; i < s.nseg && !r; from = s.ends[i++])
		r = write_batch(from, s.ends[i]);
	if (!r)
		r = write_batch(s.seg, s.bcommit);
	if (r)
		return r;
	memmove(s.batch, s.batch + s.bcommit, s.blen - s.bcommit);
	s.blen -= s.bcommit;
	s.bcommit = s.seg = s.nseg = 0;
	return 0;
}

/* Make room for a frame of n bytes (at most pbuf) in the batch being
 * filled: start a new one if needed, write them all if none is left. */
static int room(size_t n)
{
	if (s.blen - s.seg + n <= s.pbuf)
		return 0;
	s.ends[s.nseg++] = s.seg = s.blen;
	return s.nseg == NSEG ? flush_batch() : 0;
}

/* A frame larger than PIPE_BUF: the header, then the payload in pieces,
 * all under the exclusive lock.  Once begun it is finished even if a stop
 * signal comes (only a second one cuts it short). */
static int big_begin(uint32_t size)
{
	unsigned char h[FRAME_HDR];
	int r = flush_batch();

	if (r)
		return r;
	unlock_shared();
	r = io_lock_writer(s.fd, 1, io_deadline(s.timeout));
	if (r)
		return io_fail(r, "lock");
	frame_put(h, size);
	r = io_write_all(s.fd, h, sizeof h, s.timeout, 1, NULL);
	s.bytes += sizeof h;
	return io_fail(r, "write");
}

static int big_data(const void *p, size_t n)
{
	size_t done;
	int r = io_write_all(s.fd, p, n, s.timeout, 1, &done);

	s.bytes += done;
	return io_fail(r, "write");
}

static int big_end(void)
{
	io_unlock_writer(s.fd);
	return count_msg(s.bytes);
}

/* Keep the frame stream in step after the input broke off inside a big
 * frame whose header is already out: pad it to its announced size. */
static int big_pad(uint64_t n)
{
	static const unsigned char zero[4096];
	int r = 0;

	while (n && !r) {
		size_t k = n < sizeof zero ? (size_t)n : sizeof zero;
		r = big_data(zero, k);
		n -= k;
	}
	return r ? r : big_end();
}

/* n: the message's size, or (at_least) as much of it as was seen. */
static int too_big(uint64_t n, int at_least)
{
	warnx_("message of %s%llu bytes is larger than --max-size %llu",
	       at_least ? "at least " : "", (unsigned long long)n,
	       (unsigned long long)s.max);
	s.err = FM_MALFORMED;
	return FM_MALFORMED;
}

/* One message whose payload is all in memory. */
static int put_msg(const unsigned char *p, size_t n)
{
	int r;

	if (n > s.max)
		return too_big(n, 0);
	s.made++;
	if (FRAME_HDR + n > s.pbuf) {
		if ((r = big_begin((uint32_t)n)) || (r = big_data(p, n)))
			return r;
		return big_end();
	}
	if ((r = room(FRAME_HDR + n)))
		return r;
	frame_put(s.batch + s.blen, (uint32_t)n);
	memcpy(s.batch + s.blen + FRAME_HDR, p, n);
	s.blen += FRAME_HDR + n;
	s.bcommit = s.blen;
	return count_msg(s.bytes + s.blen);
}

/* The hot path for short records: find each delimiter eight bytes at a
 * time while copying those bytes into the batch behind the header, so a
 * line costs a few nanoseconds, not a memchr() and a memcpy() call.
 * Both buffers have SLACK bytes beyond their end for the last word.
 * Takes the complete records of buf[start..end) that fit in the batch
 * being filled and returns where it stopped; put_msg() does the rest. */
#define SLACK 8
static size_t pack(const unsigned char *buf, size_t start, size_t end,
		   int delim)
{
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t ones = 0x0101010101010101u, high = ones << 7;
	const uint64_t pat = ones * (unsigned char)delim;
	const unsigned char *src, *p, *e = buf + end;
	unsigned char *dst;
	size_t fit, len;
	uint64_t w, z;

	for (;;) {
		src = p = buf + start;
		dst = s.batch + s.blen + FRAME_HDR;
		fit = s.seg + s.pbuf - s.blen;
		if (fit <= FRAME_HDR || tally_full(&s.tally))
			return start;	/* the header alone would not fit */
		fit -= FRAME_HDR;
		for (;;) {
			if (p >= e || (size_t)(p - src) > fit)
				return start;	/* incomplete, or no room */
			memcpy(&w, p, 8);
			memcpy(dst + (p - src), &w, 8);
			w ^= pat;
			z = (w - ones) & ~w & high;
			if (z)
				break;
			p += 8;
		}
		p += __builtin_ctzll(z) >> 3;
		len = (size_t)(p - src);
		if (p >= e || len > fit || len > s.max)
			return start;
		frame_put(dst - FRAME_HDR, (uint32_t)len);
		s.blen += FRAME_HDR + len;
		s.bcommit = s.blen;
		s.made++;
		tally_add(&s.tally, s.bytes + s.blen);
		start += len + 1;
	}
#else
	(void)buf; (void)end; (void)delim;
	return start;
#endif
}

static ssize_t in_read(void *buf, size_t n, int finish)
{
	ssize_t k;

	unlock_shared();
	k = io_read_in(STDIN_FILENO, buf, n, finish);

	if (k == IO_ERR) {
		warn_("standard input");
		s.err = FM_FAIL;
	}
	return k;
}

/* A record longer than the input buffer, in a file we can seek: find its
 * end with pread(), then stream it, so memory stays bounded however long
 * the line.  Returns 1 if done this way, 0 if the input cannot seek. */
static int long_record(unsigned char *buf, size_t have, int delim, int *rp)
{
	unsigned char tmp[INBUF];
	off_t pos = lseek(STDIN_FILENO, 0, SEEK_CUR), at = pos, end = pos;
	uint64_t len;
	ssize_t k;
	int r, whole = 0;

	if (pos < 0)
		return 0;
	for (;;) {
		unsigned char *hit;
		k = pread(STDIN_FILENO, tmp, sizeof tmp, at);
		if (k < 0)
			return 0;
		hit = k ? memchr(tmp, delim, (size_t)k) : NULL;
		if (hit || k == 0) {
			end = at + (hit ? hit - tmp : 0);
			whole = 1;
			break;
		}
		at += k;
		end = at;
		if ((uint64_t)(at - pos) + have > s.max)
			break;	/* too long already: no need to find its end */
	}
	len = have + (uint64_t)(end - pos);
	if (len > s.max) {
		*rp = too_big(len, !whole);
		return 1;
	}
	s.made++;
	if ((r = big_begin((uint32_t)len)) || (r = big_data(buf, have))) {
		*rp = r;
		return 1;
	}
	for (at = pos; at < end; at += k) {
		size_t want = (size_t)(end - at) < sizeof tmp ?
			      (size_t)(end - at) : sizeof tmp;
		k = pread(STDIN_FILENO, tmp, want, at);
		if (k <= 0) {
			warnx_("standard input changed while being sent");
			s.err = FM_FAIL;
			*rp = big_pad((uint64_t)(end - at));
			return 1;
		}
		if ((r = big_data(tmp, (size_t)k))) {
			*rp = r;
			return 1;
		}
	}
	/* Continue after the delimiter (end of file: nothing left). */
	lseek(STDIN_FILENO, end + 1, SEEK_SET);
	*rp = big_end();
	return 1;
}

/* Lines (delim '\n') or NUL records: each is one message. */
static int send_records(int delim)
{
	size_t cap = INBUF, start = 0, end = 0, scan, n;
	unsigned char *buf = malloc(cap + SLACK), *hit;
	ssize_t k;
	int r = 0;

	if (!buf) {
		warn_("malloc");
		return FM_FAIL;
	}
	for (;;) {
		for (;;) {
			start = scan = pack(buf, start, end, delim);
			if (!(hit = memchr(buf + scan, delim, end - scan)))
				break;
			n = (size_t)(hit - buf) - start;
			if ((r = put_msg(buf + start, n)))
				goto out;
			start = scan = (size_t)(hit - buf) + 1;
		}
		scan = end;
		if (start == end) {
			start = end = scan = 0;
		} else if (end == cap && start > 0) {
			memmove(buf, buf + start, end - start);
			end -= start;
			scan = end;
			start = 0;
		} else if (end == cap) {
			/* One record fills the buffer. */
			if (long_record(buf, end, delim, &r)) {
				if (r)
					goto out;
				start = end = scan = 0;
				continue;
			}
			if (cap > s.max) {
				r = too_big(cap, 1);
				goto out;
			}
			/* Room for max + 1 bytes proves a record too big. */
			n = cap * 2 < s.max + 1 ? cap * 2 : (size_t)s.max + 1;
			if (!(hit = realloc(buf, n + SLACK))) {
				warn_("malloc");
				r = s.err = FM_FAIL;
				goto out;
			}
			buf = hit;
			cap = n;
		}
		/* About to wait for input: let what we have go out now. */
		if ((r = flush_batch()))
			goto out;
		k = in_read(buf + end, cap - end, 0);
		if (k < 0) {
			r = (int)k;
			goto out;
		}
		if (k == 0)
			break;
		end += (size_t)k;
		/* pack() reads the word past the end: make it defined. */
		memset(buf + end, 0, SLACK);
	}
	if (start < end)	/* a last record without its delimiter */
		r = put_msg(buf + start, end - start);
out:
	free(buf);
	return r;
}

/* -w: all of stdin as one message.  A regular file is streamed (its size
 * is known up front); anything else is read into memory once, behind room
 * for the header, and written from there. */
static int send_whole(void)
{
	unsigned char *buf = NULL, *nb;
	size_t cap = 0, len = FRAME_HDR;
	struct stat st;
	off_t pos;
	ssize_t k;
	int r = 0;

	pos = lseek(STDIN_FILENO, 0, SEEK_CUR);
	if (fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode) && pos >= 0 &&
	    st.st_size >= pos && (uint64_t)(st.st_size - pos) + FRAME_HDR >
	    s.pbuf) {
		uint64_t left = (uint64_t)(st.st_size - pos);
		unsigned char tmp[INBUF];
		if (left > s.max)
			return too_big(left, 0);
		s.made++;
		if ((r = big_begin((uint32_t)left)))
			return r;
		while (left) {
			k = in_read(tmp, left < sizeof tmp ? (size_t)left
							   : sizeof tmp, 1);
			if (k <= 0) {
				if (k == 0) {
					warnx_("standard input shrank while "
					       "being sent");
					s.err = FM_FAIL;
				}
				r = big_pad(left);
				return r ? r : (int)(k < 0 ? k : 0);
			}
			if ((r = big_data(tmp, (size_t)k)))
				return r;
			left -= (uint64_t)k;
		}
		return big_end();
	}
	for (;;) {
		if (len >= cap) {
			if (len - FRAME_HDR > s.max) {
				free(buf);
				return too_big(len - FRAME_HDR, 1);
			}
			/* Room for max + 1 payload bytes proves it too big. */
			cap = cap ? cap * 2 : INBUF;
			if (cap > s.max + FRAME_HDR + 1)
				cap = (size_t)s.max + FRAME_HDR + 1;
			if (!(nb = realloc(buf, cap))) {
				free(buf);
				warn_("malloc");
				return s.err = FM_FAIL;
			}
			buf = nb;
		}
		k = in_read(buf + len, cap - len, 0);
		if (k < 0) {
			free(buf);
			return (int)k;
		}
		if (k == 0)
			break;
		len += (size_t)k;
	}
	len -= FRAME_HDR;
	if (len > s.max) {
		free(buf);
		return too_big(len, 0);
	}
	r = put_msg(buf + FRAME_HDR, len);
	free(buf);
	return r;
}

/* -r: the input is frames already; check each and forward it unchanged.
 * Small frames join the batch only once complete, so a frame cut short
 * by the end of input never reaches the pipe. */
static int send_raw(void)
{
	unsigned char buf[INBUF];
	const unsigned char *data;
	enum fdec_event ev;
	struct fdec d;
	size_t pos, n, dlen;
	int big = 0, r;
	ssize_t k;

	fdec_init(&d, s.max);
	for (;;) {
		if (!big && (r = flush_batch()))
			return r;
		k = in_read(buf, sizeof buf, big);
		if (k < 0)
			return (int)k;
		if (k == 0)
			break;
		for (pos = 0, n = (size_t)k;;) {
			pos += fdec_feed(&d, buf + pos, n - pos, &ev, &data,
					 &dlen);
			if (ev == FD_NEED)
				break;
			if (ev == FD_TOOBIG)
				return too_big(d.size, 0);
			if (ev == FD_HEAD) {
				s.made++;
				big = FRAME_HDR + d.size > s.pbuf;
				if (big) {
					if ((r = big_begin(d.size)))
						return r;
					continue;
				}
				if ((r = room(FRAME_HDR + d.size)))
					return r;
				memcpy(s.batch + s.blen, d.hdr, FRAME_HDR);
				s.blen += FRAME_HDR;
			} else if (ev == FD_DATA && big) {
				if ((r = big_data(data, dlen)))
					return r;
			} else if (ev == FD_DATA) {
				memcpy(s.batch + s.blen, data, dlen);
				s.blen += dlen;
			} else if (big) {	/* FD_END */
				if ((r = big_end()))
					return r;
				big = 0;
			} else {
				s.bcommit = s.blen;
				if ((r = count_msg(s.bytes + s.blen)))
					return r;
			}
		}
	}
	if (!fdec_partial(&d))
		return 0;
	warnx_("malformed input: stream ends inside a frame");
	s.err = FM_MALFORMED;
	s.blen = s.bcommit;	/* drop the torn small frame */
	return big ? big_pad(d.left) : 0;
}

/* -v: the messages readers have taken whole, and their bytes. */
static void summary(int64_t t0, uint64_t n, uint64_t bytes)
{
	double secs = (double)(io_now() - t0) / 1000;

	if (secs > 0)
		warnx_("%llu messages, %llu bytes, %.3f s, %.0f messages/s",
		       (unsigned long long)n, (unsigned long long)bytes, secs,
		       (double)n / secs);
	else
		warnx_("%llu messages, %llu bytes, %.3f s",
		       (unsigned long long)n, (unsigned long long)bytes, secs);
}

int send_main(int argc, char **argv)
{
	static const struct option longs[] = {
		{ "null", no_argument, NULL, '0' },
		{ "raw", no_argument, NULL, 'r' },
		{ "whole", no_argument, NULL, 'w' },
		{ "timeout", required_argument, NULL, 't' },
		{ "max-size", required_argument, NULL, 'M' },
		{ "no-wait", no_argument, NULL, 'N' },
		{ "follow", no_argument, NULL, 'F' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int c, mode = 0, nowait = 0, follow = 0, verbose = 0, r;
	int64_t t0 = io_now();
	uint64_t taken, taken_bytes;

	s.timeout = -1;
	s.max = DEFAULT_MAX_SIZE;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:0rwt:vhV", longs, NULL)) != -1) {
		switch (c) {
		case '0': case 'r': case 'w':
			if (mode && mode != c)
				return usage_err(usage, "-%c and -%c cannot "
						 "be combined", mode, c);
			mode = c;
			break;
		case 't':
			if (parse_secs(optarg, &s.timeout))
				return usage_err(usage, "bad timeout '%s' "
						 "(seconds, e.g. 5 or 0.5)",
						 optarg);
			break;
		case 'M':
			if (parse_size(optarg, &s.max))
				return usage_err(usage, "bad size '%s' (0 to "
						 "4G-1; suffix K, M or G)",
						 optarg);
			break;
		case 'N': nowait = 1; break;
		case 'F': follow = 1; break;
		case 'v': verbose = 1; break;
		default:
			return common_opt(c, usage, help, argv, longs);
		}
	}
	if (optind >= argc)
		return usage_err(usage, "no PIPE given");
	if (mode && optind + 1 < argc)
		return usage_err(usage, "-%c reads standard input: give no "
				 "MESSAGE", mode);

	io_signals();
	s.fd = io_open_pipe(argv[optind], 1, follow);
	if (s.fd < 0)
		return FM_FAIL;
	s.pbuf = io_pipe_buf(s.fd);
	if (!(s.batch = malloc(NSEG * s.pbuf + SLACK)) ||
	    tally_init(&s.tally)) {
		warn_("malloc");
		return FM_FAIL;
	}
	if (optind + 1 < argc) {
		r = 0;
		for (int i = optind + 1; i < argc && !r; i++)
			r = put_msg((unsigned char *)argv[i], strlen(argv[i]));
	} else if (mode == 'w') {
		r = send_whole();
	} else if (mode == 'r') {
		r = send_raw();
	} else {
		r = send_records(mode == '0' ? '\0' : '\n');
	}
	/* Whatever the input did, complete messages already read go out and
	 * are waited for. */
	if (r == 0 || s.err)
		r = flush_batch();
	unlock_shared();
	if (r == 0 && !nowait)
		r = io_drain(s.fd, s.timeout, NULL);
	taken = tally_taken(&s.tally, gone(), &taken_bytes);
	if (verbose)
		summary(t0, taken, taken_bytes);
	if (r == IO_TIMEOUT)
		warnx_("timed out: sent %llu of %llu messages",
		       (unsigned long long)taken, (unsigned long long)s.made);
	io_die_by_signal();
	tally_free(&s.tally);
	free(s.batch);
	close(s.fd);
	if (s.err)
		return s.err;
	return r == IO_TIMEOUT ? FM_TIMEOUT : r ? FM_FAIL : FM_OK;
}
