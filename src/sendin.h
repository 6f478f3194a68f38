/* The input side of send: standard input (lines, NUL records, all of it,
 * or a stream of frames) or the arguments, turned into messages for a
 * writer (writer.h).  A new kind of input (a decoder of each line, say)
 * is one more function here that hands whole messages to writer_put()
 * or pieces to writer_begin/data/end; the writer needs no change. */
#ifndef SENDIN_H
#define SENDIN_H

#include <stdint.h>

#include "writer.h"

struct sendin {
	struct writer *out;
	uint64_t max;		/* --max-size: largest message accepted */
	uint64_t messages;	/* messages read from the input */
	int status;		/* exit status once the input has failed */
};

/* Each returns 0, an IO_ code from the writer, or in->status (set when
 * the input failed or held a message too big: the messages before it
 * are still out, in the writer). */
int send_args(struct sendin *in, char **msgs, int n);
int send_records(struct sendin *in, int delim);	/* '\n' or '\0' */
int send_whole(struct sendin *in);	/* -w: all of stdin is one */
int send_raw(struct sendin *in);	/* -r: stdin is frames */

#endif
