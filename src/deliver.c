/* publish's delivery.  The subscribers are the FIFOs in the directory
 * whose names do not begin with '.'; each is opened write-only and
 * non-blocking, never followed if it is a link, and checked to be a FIFO
 * before a byte goes in.  The directory is read again before a batch
 * whenever it may have changed, so a subscriber that joins gets every
 * message from the next batch on.
 *
 * Every write is one of: a batch of whole frames of at most PIPE_BUF
 * bytes in one write(2), which the kernel never splits; or one larger
 * frame written piece by piece.  Either is made under the FIFO's
 * exclusive writer lock (our descriptor is write-only, and a shared
 * fcntl lock needs a readable one), and we hold one such lock at a
 * time, so publishers sharing subscribers cannot deadlock. */
#define _GNU_SOURCE	/* F_GETPIPE_SZ, O_NOFOLLOW */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deliver.h"
#include "fanout.h"
#include "fifomsg.h"
#include "frame.h"
#include "io.h"

int pub_open(struct pub *p, int dfd)
{
	p->dp = fdopendir(dfd);
	if (!p->dp) {
		warn_("%s", p->dir);
		close(dfd);
		return -1;
	}
	p->dfd = dfd;
	p->pbuf = io_pipe_buf(dfd);	/* for FIFOs made in the directory */
	return 0;
}

static int ours(const char *name)
{
	return strncmp(name, SUB_PREFIX, strlen(SUB_PREFIX)) == 0;
}

/* Remove name if it is still the FIFO dev/ino: never a new subscriber's
 * that took the name, never a file someone put there instead.  Only the
 * FIFOs subscribe makes: a FIFO of the user's own stays. */
static int unlink_same(struct pub *p, const char *name, dev_t dev, ino_t ino)
{
	struct stat st;

	if (!ours(name) ||
	    fstatat(p->dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
	    !S_ISFIFO(st.st_mode) || st.st_dev != dev || st.st_ino != ino)
		return 0;
	return unlinkat(p->dfd, name, 0) == 0;
}

static void report(const struct pub *p, const struct sub *s,
		   const char *why)
{
	if (p->verbose)
		warnx_("%s: %llu messages, %llu missed%s", s->name,
		       (unsigned long long)s->got,
		       (unsigned long long)s->missed, why);
}

/* Forget subscriber i: it left, or its reader is gone (then its FIFO is
 * removed if it is still there). */
static void drop_sub(struct pub *p, size_t i, int dead)
{
	struct sub *s = &p->v[i];

	if (dead)
		report(p, s, unlink_same(p, s->name, s->dev, s->ino)
			     ? "; reader gone, FIFO removed" : "; reader gone");
	else
		report(p, s, "; left");
	close(s->fd);
	*s = p->v[--p->n];
}

/* Room for one more subscriber.  gcc 12's -fanalyzer loses track of
 * p->v along the long call chain from the publish sink and reports the
 * new array as leaked; pub_close() frees it. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wanalyzer-malloc-leak"
#endif
static int grow(struct pub *p)
{
	size_t cap = p->cap ? 2 * p->cap : 16;
	struct sub *v = realloc(p->v, cap * sizeof *v);

	if (!v)
		return -1;
	p->v = v;
	p->cap = cap;
	return 0;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

static struct sub *find(struct pub *p, const struct stat *st)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->v[i].dev == st->st_dev && p->v[i].ino == st->st_ino)
			return &p->v[i];
	return NULL;
}

/* A FIFO not seen before: a new subscriber, or a dead one's leftover. */
static void join(struct pub *p, const char *name, const struct stat *st)
{
	int fd = openat(p->dfd, name, O_WRONLY | O_NONBLOCK | O_NOFOLLOW |
				      O_CLOEXEC | O_NOCTTY);
	struct stat fst;
	struct sub *v;

	if (fd < 0) {
		/* ENXIO: no reader.  A subscriber opens its FIFO before
		 * giving it a visible name, so this one is dead. */
		if (errno == ENXIO &&
		    unlink_same(p, name, st->st_dev, st->st_ino) && p->verbose)
			warnx_("%s: no reader (a dead subscriber's); removed",
			       name);
		return;
	}
	/* Swapped since fstatat(): only the FIFO that was looked at. */
	if (fstat(fd, &fst) < 0 || !S_ISFIFO(fst.st_mode) ||
	    fst.st_dev != st->st_dev || fst.st_ino != st->st_ino)
		goto no;
	if (p->n == p->cap && grow(p) < 0)
		goto no;
	v = &p->v[p->n];
	memset(v, 0, sizeof *v);
	if (strlen(name) >= sizeof v->name)
		goto no;	/* longer than any directory entry */
	memcpy(v->name, name, strlen(name) + 1);
	v->fd = fd;
	v->dev = fst.st_dev;
	v->ino = fst.st_ino;
	v->seen = 1;
	p->n++;
	return;
no:
	close(fd);
}

/* Read the directory: who joined, who left. */
static void scan(struct pub *p)
{
	struct dirent *e;
	struct stat st;
	struct sub *s;

	for (size_t i = 0; i < p->n; i++)
		p->v[i].seen = 0;
	/* The time of the state we are about to read: a change after it
	 * shows as a newer time at the next check. */
	if (fstat(p->dfd, &st) == 0)
		p->mtime = st.st_mtim;
	p->scanned = 1;
	rewinddir(p->dp);
	while ((e = readdir(p->dp))) {
		if (e->d_name[0] == '.' ||
		    fstatat(p->dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISFIFO(st.st_mode))
			continue;
		if ((s = find(p, &st)))
			s->seen = 1;
		else
			join(p, e->d_name, &st);
	}
	for (size_t i = p->n; i-- > 0;)
		if (!p->v[i].seen)
			drop_sub(p, i, 0);
}

/* Whether the directory may have changed since the last scan.  Its
 * modification time says so, except that two changes within one tick of
 * the file system's clock leave the same time: while the time is that
 * recent, read it every time. */
static int changed(const struct pub *p)
{
	struct timespec now;
	struct stat st;

	if (!p->scanned || fstat(p->dfd, &st) < 0)
		return 1;
	if (st.st_mtim.tv_sec != p->mtime.tv_sec ||
	    st.st_mtim.tv_nsec != p->mtime.tv_nsec)
		return 1;
	clock_gettime(CLOCK_REALTIME, &now);
	return now.tv_sec - st.st_mtim.tv_sec < 3;
}

/* Up to date with the directory; with --wait, until someone is there. */
static int refresh(struct pub *p)
{
	struct timespec ts = { 0, 1000000 };
	int64_t dl = io_deadline(p->timeout);

	if (changed(p))
		scan(p);
	while (p->n == 0 && p->wait) {
		if (io_stop)
			return IO_STOP;
		if (dl >= 0 && io_now() >= dl) {
			warnx_("timed out: no subscriber in %s", p->dir);
			return IO_TIMEOUT;
		}
		nanosleep(&ts, NULL);
		if (ts.tv_nsec < 50000000)
			ts.tv_nsec *= 2;
		scan(p);
	}
	return 0;
}

/* The writer lock: waited for as -t says, or with --drop not at all (a
 * message another publisher is writing there fills the FIFO anyway). */
static int lock(const struct pub *p, const struct sub *s)
{
	return io_lock_writer(s->fd, 1, p->drop ? io_now()
						: io_deadline(p->timeout));
}

/* Whether a frame of n bytes can be written whole without waiting.  The
 * queued byte count does not say: Linux keeps a pipe's data in 16 page
 * slots, and 16 small writes can fill them all.  So only an empty FIFO
 * (the subscriber has taken everything) whose capacity holds the frame
 * qualifies, where the system tells (Linux does). */
static int room_for(int fd, size_t n)
{
#ifdef F_GETPIPE_SZ
	long cap = fcntl(fd, F_GETPIPE_SZ);

	return cap > 0 && io_queued(fd) == 0 && (size_t)cap >= n;
#else
	(void)fd;
	(void)n;
	return 0;
#endif
}

/* --drop: the whole batch if there is room, else frame by frame as far
 * as they fit: each write is at most PIPE_BUF, so all or nothing. */
static int put_drop(struct sub *s, const unsigned char *buf, size_t len,
		    const size_t *ends, size_t nframes)
{
	size_t i = 0, from = 0;
	int r = io_write_all(s->fd, buf, len, 0, 0, NULL);

	if (r != IO_TIMEOUT) {
		s->got += r ? 0 : nframes;
		return r;
	}
	for (; i < nframes; from = ends[i++]) {
		r = io_write_all(s->fd, buf + from, ends[i] - from, 0, 0,
				 NULL);
		if (r == IO_TIMEOUT)
			break;
		if (r)
			return r;
		s->got++;
	}
	s->missed += nframes - i;
	return 0;
}

static int put_small(struct pub *p, struct sub *s, const unsigned char *buf,
		     size_t len, const size_t *ends, size_t nframes)
{
	int r = lock(p, s), err;

	if (r == IO_TIMEOUT && p->drop) {
		s->missed += nframes;
		return 0;
	}
	if (r)
		return r;
	if (p->drop) {
		r = put_drop(s, buf, len, ends, nframes);
	} else {
		r = io_write_all(s->fd, buf, len, p->timeout, 0, NULL);
		s->got += r ? 0 : nframes;
	}
	err = errno;
	io_unlock_writer(s->fd);
	errno = err;
	return r;
}

static int put_big(struct pub *p, struct sub *s, const unsigned char *msg,
		   size_t n)
{
	unsigned char h[FRAME_HDR];
	int r = lock(p, s), err;

	if (r == IO_TIMEOUT && p->drop) {
		s->missed++;
		return 0;
	}
	if (r)
		return r;
	frame_put(h, (uint32_t)n);
	/* --drop starts a frame only where all of it fits: never a part. */
	if (p->drop && !room_for(s->fd, sizeof h + n)) {
		s->missed++;
	} else {
		/* Once begun it is finished: only a second signal cuts a
		 * frame short. */
		r = io_write_all(s->fd, h, sizeof h, p->timeout, 1, NULL);
		if (r == 0)
			r = io_write_all(s->fd, msg, n, p->timeout, 1, NULL);
		s->got += r ? 0 : 1;
	}
	err = errno;
	io_unlock_writer(s->fd);
	errno = err;
	return r;
}

/* Each subscriber in turn; one whose reader is gone is dropped. */
static int each(struct pub *p, const unsigned char *buf, size_t len,
		const size_t *ends, size_t nframes)
{
	size_t i = 0;
	int r;

	if ((r = refresh(p)))
		return r;
	p->msgs += nframes;
	if (p->n == 0)
		p->unheard += nframes;
	while (i < p->n) {
		r = ends ? put_small(p, &p->v[i], buf, len, ends, nframes)
			 : put_big(p, &p->v[i], buf, len);
		if (r == IO_ERR && errno == EPIPE) {
			drop_sub(p, i, 1);
			continue;
		}
		if (r == IO_TIMEOUT)
			warnx_("timed out: %s took nothing for too long",
			       p->v[i].name);
		else if (r == IO_ERR)
			warn_("%s/%s", p->dir, p->v[i].name);
		if (r)
			return r;
		i++;
	}
	return 0;
}

int pub_batch(struct pub *p, const unsigned char *buf, size_t len,
	      const size_t *ends, size_t nframes)
{
	return each(p, buf, len, ends, nframes);
}

int pub_big(struct pub *p, const unsigned char *msg, size_t n)
{
	return each(p, msg, n, NULL, 1);
}

/* ---- the sink ---- */

/* The whole frames go out; a frame begun (-r: its header came in one
 * read, the rest is still to come) stays for the next batch. */
static int ps_flush(void *c)
{
	struct pubsink *ps = c;
	size_t whole = ps->n ? ps->ends[ps->n - 1] : 0;
	int r = ps->n ? pub_batch(ps->p, ps->buf, whole, ps->ends, ps->n) : 0;

	memmove(ps->buf, ps->buf + whole, ps->len - whole);
	ps->len -= whole;
	ps->n = 0;
	return r;
}

static int ps_begin(void *c, uint32_t size)
{
	struct pubsink *ps = c;
	int r;

	if (FRAME_HDR + (uint64_t)size > ps->p->pbuf) {
		/* The batch goes first: messages keep their order. */
		if ((r = ps_flush(ps)))
			return r;
		free(ps->big);
		if (!(ps->big = malloc(size ? size : 1))) {
			warn_("malloc");
			return IO_ERR;
		}
		ps->bigsize = size;
		ps->biglen = 0;
		ps->in_big = 1;
		return 0;
	}
	if (ps->len + FRAME_HDR + size > ps->p->pbuf && (r = ps_flush(ps)))
		return r;
	frame_put(ps->buf + ps->len, size);
	ps->len += FRAME_HDR;
	return 0;
}

static int ps_data(void *c, const void *d, size_t n)
{
	struct pubsink *ps = c;

	if (ps->in_big) {
		memcpy(ps->big + ps->biglen, d, n);
		ps->biglen += n;
	} else {
		memcpy(ps->buf + ps->len, d, n);
		ps->len += n;
	}
	return 0;
}

static int ps_end(void *c)
{
	struct pubsink *ps = c;
	int r;

	if (!ps->in_big) {
		ps->ends[ps->n++] = ps->len;
		return 0;
	}
	ps->in_big = 0;
	r = pub_big(ps->p, ps->big, ps->biglen);
	free(ps->big);		/* memory stays that of the batch */
	ps->big = NULL;
	return r;
}

static int ps_put(void *c, const void *d, size_t n)
{
	int r;

	if ((r = ps_begin(c, (uint32_t)n)) || (r = ps_data(c, d, n)))
		return r;
	return ps_end(c);
}

/* Nothing of the message has gone out: forget what there is of it. */
static int ps_abandon(void *c, uint64_t left)
{
	struct pubsink *ps = c;

	(void)left;
	if (ps->in_big) {
		free(ps->big);
		ps->big = NULL;
		ps->in_big = 0;
	} else {
		ps->len = ps->n ? ps->ends[ps->n - 1] : 0;
	}
	return 0;
}

static int ps_unfinished(void *c)
{
	(void)c;
	return 0;	/* a message goes out only once it is whole */
}

int pub_sink(struct pubsink *ps, struct pub *p, struct sink *s)
{
	*ps = (struct pubsink){ .p = p };
	ps->buf = malloc(p->pbuf);
	ps->ends = malloc(p->pbuf / FRAME_HDR * sizeof *ps->ends);
	if (!ps->buf || !ps->ends) {
		warn_("malloc");
		pub_sink_free(ps);
		return -1;
	}
	*s = (struct sink){ ps, ps_put, ps_begin, ps_data, ps_end, ps_abandon,
			    ps_flush, ps_unfinished, p->pbuf, NULL };
	return 0;
}

void pub_sink_free(struct pubsink *ps)
{
	free(ps->buf);
	free(ps->ends);
	free(ps->big);
	ps->buf = ps->big = NULL;
	ps->ends = NULL;
}

void pub_close(struct pub *p)
{
	while (p->n > 0) {
		report(p, &p->v[p->n - 1], "");
		close(p->v[p->n - 1].fd);
		p->n--;
	}
	free(p->v);
	p->v = NULL;
	if (p->verbose)
		warnx_("%llu messages published, %llu with no subscriber",
		       (unsigned long long)p->msgs,
		       (unsigned long long)p->unheard);
	if (p->dp)
		closedir(p->dp);
	p->dp = NULL;
}
