/* One-shot benchmark harness: run a command COUNT times, one after the
 * other, the way a shell loop would (fork, optionally open a redirection
 * target in the child, exec, wait), and stop at the first failure.
 *
 *   spawn COUNT OUT PROG [ARG...]
 *
 * OUT is "-" to leave standard output alone, else a path the child opens
 * for writing as standard output before exec (as `PROG > OUT` would).
 * PROG is run by path (no PATH search).  Prints the elapsed time. */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec a, b;
	long count, i;
	const char *out;
	pid_t pid;
	int st;

	if (argc < 4) {
		fprintf(stderr, "usage: spawn COUNT OUT PROG [ARG...]\n");
		return 2;
	}
	count = atol(argv[1]);
	out = argv[2];
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < count; i++) {
		pid = fork();
		if (pid < 0) {
			perror("spawn: fork");
			return 1;
		}
		if (pid == 0) {
			if (strcmp(out, "-")) {
				int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC,
					      0666);
				if (fd < 0 || dup2(fd, 1) < 0) {
					perror(out);
					_exit(126);
				}
				close(fd);
			}
			execv(argv[3], argv + 3);
			perror(argv[3]);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) < 0) {
			perror("spawn: waitpid");
			return 1;
		}
		if (!WIFEXITED(st) || WEXITSTATUS(st)) {
			fprintf(stderr, "spawn: run %ld of %ld: %s %d\n", i + 1,
				count, WIFEXITED(st) ? "exit status" : "signal",
				WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%ld runs, %.3f s, %.1f us per run\n", count,
	       (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9,
	       ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / 1e3 / (double)count);
	return 0;
}
