/* Messages as JSON strings (RFC 8259), for --json.  No I/O. */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>
#include <sys/types.h>

/* Bytes of a UTF-8 sequence split across two pieces of payload. */
struct json {
	unsigned char carry[3];
	unsigned char n;
};

/* The most json_escape() writes for n bytes of input. */
#define JSON_MAX_OUT(n) (6 * ((n) + 3))

/* Escape the next n payload bytes into dst, which has room for
 * JSON_MAX_OUT(n) bytes; last marks the end of the message.  Valid UTF-8
 * is copied; '"', '\\' and control characters are escaped; every byte
 * that is not part of valid UTF-8 becomes \u00XX.  Returns bytes written. */
size_t json_escape(struct json *j, const unsigned char *p, size_t n, int last,
		   char *dst);

/* The inverse, for send --json: decode the line s[0..n) (without its
 * newline), which must be exactly one JSON string literal, into dst, which
 * has room for n bytes and may be s itself (the decoded form is never
 * longer).  JSON whitespace (space, tab, CR) may surround the literal.
 * Every escape of RFC 8259 is understood, \u surrogate pairs become one
 * UTF-8 sequence; a lone surrogate, an unescaped control character and raw
 * bytes that are not valid UTF-8 are errors, as in RFC 8259.  Returns the
 * decoded length, or -1 with *col set to the 1-based byte column of the
 * fault and *why to a short reason. */
ssize_t json_decode(const char *s, size_t n, unsigned char *dst, size_t *col,
		    const char **why);

#endif
