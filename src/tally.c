/* See tally.h. */
#include "compat.h"
#include <stdlib.h>
#include <string.h>

#include "tally.h"

/* 8 KiB to start; a pipe of 64 KiB full of empty messages needs 16384. */
#define TALLY_START 1024

int tally_init(struct tally *t)
{
	memset(t, 0, sizeof *t);
	t->end = malloc(TALLY_START * sizeof *t->end);
	if (!t->end)
		return -1;
	t->mask = TALLY_START - 1;
	return 0;
}

void tally_free(struct tally *t)
{
	free(t->end);
	t->end = NULL;
}

/* Twice the size, the entries kept in order from the start. */
static int grow(struct tally *t)
{
	size_t n = t->mask + 1, i;
	uint64_t *e = malloc(2 * n * sizeof *e);

	if (!e)
		return -1;
	for (i = 0; t->head + i < t->tail; i++)
		e[(t->head + i) & (2 * n - 1)] = t->end[(t->head + i) & t->mask];
	free(t->end);
	t->end = e;
	t->mask = 2 * n - 1;
	return 0;
}

int tally_trim(struct tally *t, uint64_t gone)
{
	while (t->head < t->tail && t->end[t->head & t->mask] <= gone)
		t->head_end = t->end[t->head++ & t->mask];
	/* More than half still in the pipe: trimming again soon would
	 * free little, so make room for the pipe's worth instead.  The ring
	 * can only grow up to what the pipe holds (plus what is staged). */
	if (t->tail - t->head > (t->mask + 1) / 2 && grow(t) &&
	    tally_full(t))
		return -1;
	return 0;
}

uint64_t tally_taken(const struct tally *t, uint64_t gone, uint64_t *bytes)
{
	uint64_t n = t->head, end = t->head_end;

	while (n < t->tail && t->end[n & t->mask] <= gone)
		end = t->end[n++ & t->mask];
	if (bytes)
		*bytes = end;
	return n;
}
