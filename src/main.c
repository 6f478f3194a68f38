/* Dispatch only: "fifomsg SUBCOMMAND ..." or a link named fifo-SUBCOMMAND. */
#include "compat.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "fifomsg.h"

static const struct cmd {
	const char *name;
	int (*main)(int, char **);
} cmds[] = {
	{ "mkpipe", mkpipe_main },
	{ "send", send_main },
	{ "recv", recv_main },
	{ "listen", listen_main },
	{ "publish", publish_main },
	{ "subscribe", subscribe_main },
	{ "request", request_main },
	{ "serve", serve_main },
};

#define NCMDS (sizeof cmds / sizeof cmds[0])
#define LINK_PREFIX "fifo-"

static const char usage[] = "fifomsg SUBCOMMAND [ARGS...]";
static const char help[] =
	"\n"
	"Whole messages over named pipes (FIFOs): each message is framed as a\n"
	"4-byte little-endian length followed by the payload.\n"
	"\n"
	"Subcommands:\n"
	"  mkpipe   create FIFOs (mode 0600 unless -m)\n"
	"  send     send stdin lines, or the arguments, as messages\n"
	"  recv     receive COUNT messages (default 1) and exit\n"
	"  listen   print messages as they arrive until stopped\n"
	"  publish  send each message to every subscriber of a directory\n"
	"  subscribe  print the messages published to a directory\n"
	"  request  send one request to a server and print its reply\n"
	"  serve    answer requests with the output of a command\n"
	"\n"
	"Each also runs as a link named fifo-SUBCOMMAND.  Options:\n"
	"  -h, --help      this help; 'fifomsg SUBCOMMAND --help' for one\n"
	"  -V, --version   print the version\n"
	"  --list          print the link names, one a line\n"
	"\n"
	"Exit status: 0 ok, 1 failure, 2 usage, 3 timeout, 4 malformed stream,\n"
	"127 unknown subcommand.  See fifomsg(1).\n";

/* Started with standard input, output or error closed, the next open()
 * or pipe() would take that number: "standard output" would then be the
 * self-pipe or the FIFO itself.  Fill each gap with /dev/null opened the
 * wrong way round, so using it still fails with EBADF, as a closed
 * descriptor would, and is reported. */
static int std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		if (open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY) != fd)
			return -1;
	}
	return 0;
}

static const struct cmd *find(const char *name)
{
	for (size_t i = 0; i < NCMDS; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

static int run(const struct cmd *c, int argc, char **argv)
{
	progcmd = c->name;
	return c->main(argc, argv);
}

int main(int argc, char **argv)
{
	const char *base = argc > 0 ? strrchr(argv[0], '/') : NULL;
	const struct cmd *c;

	if (std_fds() < 0)
		return FM_FAIL;	/* no /dev/null: nowhere safe to start */
	base = base ? base + 1 : argc > 0 ? argv[0] : "fifomsg";
	if (strncmp(base, LINK_PREFIX, strlen(LINK_PREFIX)) == 0) {
		c = find(base + strlen(LINK_PREFIX));
		if (!c) {
			warnx_("unknown command name '%s'", base);
			return FM_NOCMD;
		}
		return run(c, argc, argv);
	}
	if (argc < 2)
		return usage_err(usage, "no subcommand given");
	if (strcmp(argv[1], "--list") == 0) {
		int bad = 0;
		for (size_t i = 0; i < NCMDS; i++)
			bad |= printf(LINK_PREFIX "%s\n", cmds[i].name) < 0;
		if (fflush(stdout) == EOF || bad) {
			warn_("write error on standard output");
			return FM_FAIL;
		}
		return FM_OK;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return common_opt('h', usage, help, argv, NULL);
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0)
		return common_opt('V', usage, help, argv, NULL);
	c = find(argv[1]);
	if (!c) {
		warnx_("unknown subcommand '%s' (try 'fifomsg --help')",
		       argv[1]);
		return FM_NOCMD;
	}
	return run(c, argc - 1, argv + 1);
}
