/* The input side of send and publish: standard input (lines, NUL
 * records, all of it, a stream of frames, or lines of JSON or hex) or
 * the arguments, turned into messages for a sink (sink.h): send's writer
 * or publish's delivery.  A new kind of input is one more function here
 * that hands whole messages to put or pieces to begin/data/end; no sink
 * needs a change. */
#ifndef SENDIN_H
#define SENDIN_H

#include <stdint.h>

#include "sink.h"

struct sendin {
	struct sink *out;
	uint64_t max;		/* --max-size: largest message accepted */
	uint64_t messages;	/* messages read from the input */
	int status;		/* exit status once the input has failed */
	int codec;		/* 'j' --json, 'x' --hex: each line and
				 * argument is decoded; 0: taken as it is */
	int file;		/* standard input is a regular file */
};

/* Each returns 0, an IO_ code from the sink, or in->status (set when
 * the input failed or held a message too big: the messages before it
 * are still out, in the sink). */
int send_args(struct sendin *in, char **msgs, int n);
int send_records(struct sendin *in, int delim);	/* '\n' or '\0' */
int send_whole(struct sendin *in);	/* -w: all of stdin is one */
int send_raw(struct sendin *in);	/* -r: stdin is frames */
/* --json, --hex: each stdin line decoded (in->codec).  A line that does
 * not decode is reported with its number and column and ends the input
 * with FM_MALFORMED: the lines before it are sent, none after. */
int send_decoded(struct sendin *in);

/* The input options send and publish share: -0, -r, -w, --json, --hex
 * (the mode, one of them at most), their long names for getopt_long, and
 * the input they select.  sendin_mode() takes option c into *mode: 0 or
 * FM_USAGE (printed).  sendin_check(): -1 to go on, or FM_USAGE when
 * MESSAGE operands come with a mode that reads standard input. */
#define SENDIN_OPTS "0rw"
#define SENDIN_LONGS \
	{ "null", no_argument, NULL, '0' }, \
	{ "raw", no_argument, NULL, 'r' }, \
	{ "whole", no_argument, NULL, 'w' }, \
	{ "json", no_argument, NULL, 'j' }, \
	{ "hex", no_argument, NULL, 'x' }
#define SENDIN_HELP \
	"  -0, --null        input records end in NUL, not newline\n" \
	"  -r, --raw         input is a stream of frames (listen -r output)\n" \
	"  -w, --whole       all of standard input is one message\n" \
	"      --json        each line (or MESSAGE) is a JSON string, decoded\n" \
	"      --hex         each line (or MESSAGE) is hex digits, decoded\n"
int sendin_mode(const char *usage, int *mode, int c);
int sendin_check(const char *usage, int mode, int nmsgs);
/* Everything: the nmsgs MESSAGE operands, or standard input as mode says
 * ('0', 'r', 'w', 'j', 'x' or 0 for lines; in->codec is set here). */
int send_input(struct sendin *in, int mode, char **msgs, int nmsgs);

#endif
