/* Which of a sender's messages readers have taken.  The sender's bytes
 * form one stream; each message is known by the offset in that stream
 * where it ends.  Readers take a pipe's bytes in order, so once `gone`
 * bytes of the stream have been read, exactly the messages ending at or
 * before `gone` have been taken whole.
 *
 * Only the ends of messages that may still be in the pipe (or are staged
 * but not yet written) are kept, in a ring that tally_trim() empties of
 * the rest: its size follows what the pipe can hold (at most one entry
 * per 4 bytes, the smallest frame), not the number of messages sent.
 * No I/O here: the caller says how much of the stream is gone. */
#ifndef TALLY_H
#define TALLY_H

#include <stddef.h>
#include <stdint.h>

struct tally {
	uint64_t *end;		/* ring of message end offsets, ascending */
	size_t mask;		/* ring size - 1 (a power of two) */
	uint64_t head;		/* messages known to be taken: dropped */
	uint64_t tail;		/* messages counted so far */
	uint64_t head_end;	/* where message number head ends */
};

int tally_init(struct tally *t);	/* 0, or -1 (no memory) */
void tally_free(struct tally *t);

/* The ring is full: tally_trim() before the next tally_add(). */
static inline int tally_full(const struct tally *t)
{
	return t->tail - t->head > t->mask;
}

/* One more message, ending at offset end (not before the previous one). */
static inline void tally_add(struct tally *t, uint64_t end)
{
	t->end[t->tail++ & t->mask] = end;
}

/* Drop the messages ending at or before gone; grow the ring if that left
 * it more than half full.  0, or -1 if it is still full (no memory). */
int tally_trim(struct tally *t, uint64_t gone);

/* Messages ending at or before gone, and (bytes, if not NULL) where the
 * last of them ends: the bytes of the stream they make up. */
uint64_t tally_taken(const struct tally *t, uint64_t gone, uint64_t *bytes);

#endif
