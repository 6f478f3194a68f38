/* Messages as JSON strings (RFC 8259), for --json.  No I/O. */
#ifndef JSON_H
#define JSON_H

#include <stddef.h>

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

#endif
