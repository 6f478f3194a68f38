/* --exec: one command per message, the message on its standard input. */
#ifndef EXEC_H
#define EXEC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct child {
	pid_t pid;
	int fd;		/* the command's standard input; -1 once it left */
};

/* Start "/bin/sh -c cmd" with FIFOMSG_PIPE=pipe and FIFOMSG_SEQ=seq in its
 * environment.  Returns 0, or -1 with a message printed. */
int exec_start(struct child *c, const char *cmd, const char *pipe,
	       uint64_t seq);
/* The same with the command's standard output on out (-1: ours). */
int exec_start_out(struct child *c, const char *cmd, const char *pipe,
		   uint64_t seq, int out);
/* Feed it payload.  A command that does not read all of its input is not
 * an error: the rest is dropped.  Returns 0 or an IO_ code of io.h. */
int exec_feed(struct child *c, const void *p, size_t n);
/* Close its input and wait.  Returns 0 if it exited 0, else 1 with a
 * message naming message number seq. */
int exec_wait(struct child *c, uint64_t seq);
/* The message was cut short: kill the command (its whole process group)
 * before it sees the end of its input, and reap it.  No-op when none is
 * running. */
void exec_abort(struct child *c);

#endif
