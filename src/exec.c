#include "compat.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec.h"
#include "fifomsg.h"
#include "io.h"

int exec_start(struct child *c, const char *cmd, const char *pipe,
	       uint64_t seq)
{
	return exec_start_out(c, cmd, pipe, seq, -1);
}

int exec_start_out(struct child *c, const char *cmd, const char *pipe,
		   uint64_t seq, int out)
{
	char num[24];
	int fds[2];
	sigset_t none;

	/* Close-on-exec: no later command inherits this one's input. */
	if (io_pipe(fds, O_CLOEXEC) < 0) {
		warn_("pipe");
		return -1;
	}
	c->pid = fork();
	if (c->pid < 0) {
		warn_("fork");
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (c->pid == 0) {
		/* The command gets the dispositions a shell would give it:
		 * we ignore SIGPIPE, and that would be inherited.  (Caught
		 * signals revert to their defaults at exec.) */
		signal(SIGPIPE, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		snprintf(num, sizeof num, "%llu", (unsigned long long)seq);
		if (dup2(fds[0], STDIN_FILENO) < 0 ||
		    (out >= 0 && dup2(out, STDOUT_FILENO) < 0) ||
		    setenv("FIFOMSG_PIPE", pipe, 1) < 0 ||
		    setenv("FIFOMSG_SEQ", num, 1) < 0)
			_exit(126);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(fds[0]);
	c->fd = fds[1];
	return 0;
}

int exec_feed(struct child *c, const void *p, size_t n)
{
	int r;

	if (c->fd < 0)
		return 0;
	r = io_write_all(c->fd, p, n, -1, 1, NULL);
	if (r != IO_ERR || errno != EPIPE)
		return r;
	close(c->fd);
	c->fd = -1;
	return 0;
}

/* Did the command fail?  Say so, unless it died of the signal that is
 * stopping us: ^C at a terminal reaches both, and a shell is quiet then. */
static int failed(int st, uint64_t seq)
{
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st))
		warnx_("command failed on message %llu: exit status %d",
		       (unsigned long long)seq, WEXITSTATUS(st));
	else if (WTERMSIG(st) != io_stop)
		warnx_("command failed on message %llu: killed by signal %d",
		       (unsigned long long)seq, WTERMSIG(st));
	return 1;
}

int exec_wait(struct child *c, uint64_t seq)
{
	int st;

	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	/* No SA_RESTART: a signal interrupts waitpid().  The first lets the
	 * command finish; a second ends the wait.  (One that lands between
	 * the check and the call is seen only when the command exits: a
	 * window of a few instructions.) */
	for (;;) {
		if (io_stops > 1) {
			exec_abort(c);
			return IO_STOP;
		}
		if (waitpid(c->pid, &st, 0) >= 0)
			break;
		if (errno != EINTR) {
			warn_("waitpid");
			c->pid = 0;
			return 1;
		}
	}
	c->pid = 0;
	return failed(st, seq);
}

void exec_abort(struct child *c)
{
	if (c->pid <= 0)
		return;
	/* Killed first: closing its input first would let it run to the
	 * end on a partial message.  Only the shell can be reached: the
	 * command shares our process group (for ^C), so processes that the
	 * shell started itself live on and see their input end early.
	 * fifomsg-listen(1) says so. */
	kill(c->pid, SIGKILL);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
		;
	c->pid = 0;
}
