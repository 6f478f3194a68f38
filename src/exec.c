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
		/* A process group of its own, so exec_abort() reaches what
		 * the shell starts too. */
		setpgid(0, 0);
		/* The command gets the dispositions a shell would give it:
		 * we ignore SIGPIPE, and that would be inherited. */
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
	setpgid(c->pid, c->pid);	/* either call may win the race */
	close(fds[0]);
	c->fd = fds[1];
	return 0;
}

int exec_feed(struct child *c, const void *p, size_t n)
{
	int r;

	if (c->fd < 0)
		return 0;
	r = io_write_all(c->fd, p, n, -1, 0, NULL);
	if (r != IO_ERR || errno != EPIPE)
		return r;
	close(c->fd);
	c->fd = -1;
	return 0;
}

int exec_wait(struct child *c, uint64_t seq)
{
	int st;

	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	while (waitpid(c->pid, &st, 0) < 0) {
		if (errno != EINTR) {
			warn_("waitpid");
			c->pid = 0;
			return 1;
		}
	}
	c->pid = 0;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	if (WIFEXITED(st))
		warnx_("command failed on message %llu: exit status %d",
		       (unsigned long long)seq, WEXITSTATUS(st));
	else
		warnx_("command failed on message %llu: killed by signal %d",
		       (unsigned long long)seq, WTERMSIG(st));
	return 1;
}

void exec_abort(struct child *c)
{
	if (c->pid <= 0)
		return;
	/* Killed first: closing its input first would let it run to the
	 * end on a partial message. */
	kill(-c->pid, SIGKILL);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	while (waitpid(c->pid, NULL, 0) < 0 && errno == EINTR)
		;
	c->pid = 0;
}
