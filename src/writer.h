/* The output side of send: whole messages in, frames into the pipe out.
 * It knows nothing of where the messages come from (sendin.h).
 *
 * Small frames are packed into batches of at most PIPE_BUF bytes, each
 * written with one write(2): the kernel never splits or interleaves such
 * a write, so no frame is torn even by writers that take no lock.  A
 * frame too big for that is written in pieces under the exclusive writer
 * lock.  The writer counts which of its messages readers have taken
 * (tally.h).  Functions return 0 or an IO_ code (io.h); an I/O error has
 * been reported on stderr. */
#ifndef WRITER_H
#define WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "scan.h"
#include "sink.h"
#include "tally.h"

/* Batches are staged and written back to back, WRITER_BATCHES at a time:
 * the first write wakes the reader, and by the time it runs the next ones
 * are there too, so it wakes once for several.  Each write stays one
 * batch, so each stays atomic. */
#define WRITER_BATCHES 16
/* writer_pack() reads up to this many bytes past the end of its input
 * (and writes as far past the batches): scan_mask()'s blocks (scan.h). */
#define WRITER_SLACK SCAN_SLACK
/* The shared writer lock is let go at least this often (bytes written),
 * so that a sender of a large frame, waiting for it exclusive, never
 * waits for all of a long input read from a file. */
#define WRITER_LOCK_SPAN (256 * 1024)

struct writer {
	int fd;
	int64_t timeout;	/* ms without progress: IO_TIMEOUT; -1 never */
	size_t pipe_buf;	/* PIPE_BUF: the largest write never torn */
	unsigned char *batch;	/* WRITER_BATCHES batches of pipe_buf bytes */
	size_t staged;		/* bytes in batch */
	size_t staged_whole;	/* of which whole frames (ready to go) */
	size_t filling;		/* where the batch being filled starts */
	size_t batch_end[WRITER_BATCHES];	/* where each full batch ends */
	size_t full;		/* full batches staged */
	int in_big;		/* inside a frame written in pieces */
	int shared_lock;	/* holding the writer lock shared */
	uint64_t locked_at;	/* written when it was taken */
	int nolock;		/* take no writer lock (standard output) */
	int noqueue;		/* not a pipe: what is written is taken */
	uint64_t written;	/* bytes written to the pipe */
	struct tally taken;	/* where each message staged whole ends */
};

/* fd: the FIFO, open and non-blocking (or standard output: then set
 * nolock and noqueue as fit).  0, or -1 (reported). */
int writer_init(struct writer *w, int fd, int64_t timeout_ms);
void writer_free(struct writer *w);

/* One message whose payload is all in memory. */
int writer_put(struct writer *w, const void *p, size_t n);

/* One message of size bytes given in pieces: begin, data (size bytes in
 * all), end.  The input may break off: writer_abandon() then drops the
 * frame if none of it has been written, or else pads it with `left` zero
 * bytes to its announced size, so the pipe stays in step. */
int writer_begin(struct writer *w, uint32_t size);
int writer_data(struct writer *w, const void *p, size_t n);
int writer_end(struct writer *w);
int writer_abandon(struct writer *w, uint64_t left);

/* The hot path for short records: stages each record of buf[start..end)
 * ended by delim, up to max bytes, while the batch being filled has room
 * for it.  Reads up to WRITER_SLACK bytes past end.  Returns where it
 * stopped (at a record it left for writer_put()) and adds the records
 * staged to *count. */
size_t writer_pack(struct writer *w, const unsigned char *buf, size_t start,
		   size_t end, int delim, uint64_t max, uint64_t *count);

/* The hot path of -r: stages each whole frame of buf[start..end) with a
 * payload of at most max bytes that fits a batch, while there is a batch
 * with room for it.  Returns where it stopped (at a frame it left for
 * the decoder and writer_begin/data/end) and adds the frames staged to
 * *count. */
size_t writer_frames(struct writer *w, const unsigned char *buf,
		     size_t start, size_t end, uint64_t max, uint64_t *count);

/* The writer as a sink for the input side (sink.h). */
void writer_sink(struct writer *w, struct sink *s);

/* About to wait for input: write what is staged, let go of the lock. */
int writer_flush(struct writer *w);

/* Wait until readers have emptied the pipe (io_drain). */
int writer_drain(struct writer *w);

/* Messages readers have taken whole so far, and (if bytes is not NULL)
 * the bytes of their frames.  Exact while we are the only writer; other
 * writers' bytes queued in the pipe make it a lower bound. */
uint64_t writer_taken(const struct writer *w, uint64_t *bytes);

#endif
