/* publish's delivery: the subscribers of a directory, and a message or a
 * batch of messages written whole into each of their FIFOs. */
#ifndef DELIVER_H
#define DELIVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "sink.h"

struct sub {
	char name[256];		/* in the directory (a NAME_MAX of 255) */
	int fd;			/* write end, non-blocking */
	dev_t dev;		/* the FIFO it was opened as */
	ino_t ino;
	uint64_t got, missed;	/* messages written to it, and not */
	int seen;		/* found by the current scan */
};

struct pub {
	const char *dir;
	void *dp;		/* DIR *: the directory, read again and again */
	int dfd;		/* its descriptor */
	int drop, wait, verbose;
	int64_t timeout;	/* -t in ms, -1: none */
	struct sub *v;
	size_t n, cap;
	struct timespec mtime;	/* the directory's at the last scan */
	int scanned;
	uint64_t msgs;		/* messages published */
	uint64_t unheard;	/* of which none had a subscriber */
	size_t pbuf;		/* PIPE_BUF: the largest untorn write */
};

/* Start on directory fd dfd (taken over).  Returns 0 or -1 (printed). */
int pub_open(struct pub *p, int dfd);
/* One write's worth (at most p->pbuf bytes) of whole frames, nframes
 * (at least 1) of them, frame i ending at buf + ends[i]. */
int pub_batch(struct pub *p, const unsigned char *buf, size_t len,
	      const size_t *ends, size_t nframes);
/* One message too large for one write: header and payload go to each
 * subscriber under its exclusive writer lock. */
int pub_big(struct pub *p, const unsigned char *msg, size_t n);
/* Close every FIFO; with verbose, say what each subscriber got. */
void pub_close(struct pub *p);

/* publish's sink (sink.h), for the input side of send (sendin.h): small
 * messages are packed into a batch that goes out (pub_batch) when full
 * or flushed; a message too large for one write is gathered whole in
 * memory, then goes out by itself (pub_big): it is written to one
 * subscriber after another, each under its own lock, so it cannot be
 * streamed from the input.  Nothing is written before a message is
 * whole, so an input that breaks off inside one costs nothing. */
struct pubsink {
	struct pub *p;
	unsigned char *buf;	/* the batch: p->pbuf bytes */
	size_t len, n;		/* its bytes, its whole frames */
	size_t *ends;		/* where frame i ends */
	unsigned char *big;	/* the large message being gathered */
	size_t bigsize, biglen;	/* its size, and the bytes gathered */
	int in_big;
};
/* 0, or -1 (printed). */
int pub_sink(struct pubsink *ps, struct pub *p, struct sink *s);
void pub_sink_free(struct pubsink *ps);

/* pub_batch() and pub_big() return 0, or an IO_ code of io.h: IO_STOP
 * (a stop signal), IO_TIMEOUT (-t: a subscriber took nothing, or with
 * --wait none came), IO_ERR (printed). */

#endif
