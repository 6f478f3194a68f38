/* Where the sender's input side (sendin.h) hands its messages: a writer
 * into one pipe (writer.h), or publish's delivery to every subscriber
 * (deliver.h).  A message is given whole (put) or in pieces: begin with
 * its size, data (size bytes in all), end; abandon when the input breaks
 * off inside it (left: the bytes still missing).  flush: about to wait
 * for input, let what is staged go out.  Each returns 0 or an IO_ code
 * (io.h), an I/O error already reported. */
#ifndef SINK_H
#define SINK_H

#include <stddef.h>
#include <stdint.h>

struct writer;

struct sink {
	void *ctx;		/* the first argument of each function */
	int (*put)(void *ctx, const void *p, size_t n);
	int (*begin)(void *ctx, uint32_t size);
	int (*data)(void *ctx, const void *p, size_t n);
	int (*end)(void *ctx);
	int (*abandon)(void *ctx, uint64_t left);
	int (*flush)(void *ctx);
	/* Whether part of a message has gone out (then a stop signal must
	 * not end the wait for the rest of it). */
	int (*unfinished)(void *ctx);
	size_t pipe_buf;	/* PIPE_BUF of the pipe(s) written */
	/* The writer itself when the sink is one: the input side then uses
	 * its fast paths (writer_pack, writer_frames) directly. */
	struct writer *w;
};

#endif
