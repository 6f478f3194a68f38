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

/* The first message at or after head that ends after gone (tail if
 * none): a binary search, the ends being in ascending order.  A walk
 * would cost more than the rest of a short message's way through send. */
static uint64_t first_after(const struct tally *t, uint64_t gone)
{
	uint64_t lo = t->head, hi = t->tail, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (t->end[mid & t->mask] <= gone)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int tally_trim(struct tally *t, uint64_t gone)
{
	uint64_t n = first_after(t, gone);

	if (n > t->head)
		t->head_end = t->end[(n - 1) & t->mask];
	t->head = n;
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
	uint64_t n = first_after(t, gone);

	if (bytes)
		*bytes = n > t->head ? t->end[(n - 1) & t->mask] : t->head_end;
	return n;
}
