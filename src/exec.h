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
 * environment.  It stays in our process group, so ^C at a terminal
 * reaches it as it reaches any command a shell runs.  Returns 0, or -1
 * with a message printed. */
int exec_start(struct child *c, const char *cmd, const char *pipe,
	       uint64_t seq);
/* The same with the command's standard output on out (-1: ours). */
int exec_start_out(struct child *c, const char *cmd, const char *pipe,
		   uint64_t seq, int out);
/* Feed it payload, waiting as long as it takes it to read; a first stop
 * signal does not interrupt (the command gets its whole message).  A
 * command that does not read all of its input is not an error: the rest
 * is dropped.  Returns 0 or an IO_ code of io.h (IO_STOP: a second
 * signal). */
int exec_feed(struct child *c, const void *p, size_t n);
/* Close its input and wait for it; a first stop signal lets it finish.
 * Returns 0 if it exited 0, 1 (with a message naming message number seq)
 * if it failed, or IO_STOP if a second signal came first: the command is
 * then killed as by exec_abort(). */
int exec_wait(struct child *c, uint64_t seq);
/* The message was cut short, or a second signal came: kill the command
 * before it sees the end of its input, and reap it.  No-op when none is
 * running. */
void exec_abort(struct child *c);

#endif
