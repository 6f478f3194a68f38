/* The receivers' FIFO: opening it (with -c, creating it first), our own
 * write end that keeps it from reporting an end of file between writers,
 * and removing at exit a FIFO we created. */
#ifndef PIPEFILE_H
#define PIPEFILE_H

#include <sys/types.h>

struct pipefile {
	const char *path;
	int follow;		/* --follow: open through a symbolic link */
	int fd;			/* read-only, non-blocking; -1 when closed */
	int keep;		/* our own write end, or -1 */
	int created;		/* we made it: remove it at exit */
	int rw;			/* fd is open for writing too (adopted) */
};

/* Open pf->path for reading; with create, make it first (mode exactly,
 * whatever the umask) unless it exists, and refuse an existing FIFO that
 * is not ours or is writable by others beyond mode.  With keep, also
 * open our own write end.  Prints its own errors; returns 0 or -1. */
int pipe_open(struct pipefile *pf, int create, mode_t mode, int keep);
/* Take over fd, a FIFO at pf->path that the caller made and opened, to
 * read it and remove it at exit, as pipe_open() would have with create;
 * with keep, open our own write end. */
void pipe_adopt(struct pipefile *pf, int fd, int keep);
/* (Re)open our own write end.  Returns 0, or -1 with errno set. */
int pipe_keep(struct pipefile *pf);
/* Let go of our own write end: while a frame is half-read, only the
 * writer of that frame can complete it, and once no writer has the pipe
 * open, reads see the end of file that says it never will. */
void pipe_unkeep(struct pipefile *pf);
/* Close everything, and remove the FIFO if we made it and the path still
 * names it. */
void pipe_close(struct pipefile *pf);

#endif
