#define _GNU_SOURCE	/* O_DIRECTORY, O_NOFOLLOW with older headers */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fanout.h"
#include "fifomsg.h"

int dir_open(const char *dir, int create, int force)
{
	struct stat st;
	int fd;

	if (create && mkdir(dir, 0700) < 0 && errno != EEXIST) {
		warn_("cannot create directory %s", dir);
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		warn_("%s", dir);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (force)
		return fd;
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		warnx_("%s: refusing a directory owned by uid %u (use --force "
		       "to allow it)", dir, (unsigned)st.st_uid);
	} else if (st.st_mode & 022) {
		warnx_("%s: refusing a directory writable by %s (mode %03o; "
		       "use --force to allow it)", dir,
		       st.st_mode & 002 ? "others" : "its group",
		       (unsigned)(st.st_mode & 0777));
	} else {
		return fd;
	}
	close(fd);
	return -1;
}

/* Not for secrecy: the name only has to be new, and mkfifo() refuses one
 * that exists.  splitmix64 of the time, the pid and a counter. */
static uint64_t unique(void)
{
	static uint64_t n;
	struct timespec ts;
	uint64_t z;

	clock_gettime(CLOCK_REALTIME, &ts);
	z = (uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec << 30 ^
	    (uint64_t)getpid() << 42 ^ ++n * 0x9e3779b97f4a7c15u;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* Open the FIFO just made and make sure it is the one: ours, a FIFO,
 * not replaced by something else between mkfifo() and open(). */
static int open_new(const char *tmp)
{
	int fd = open(tmp, O_RDWR | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC |
			   O_NOCTTY);
	struct stat st;

	if (fd < 0) {
		warn_("%s", tmp);
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISFIFO(st.st_mode) ||
	    st.st_uid != geteuid()) {
		warnx_("%s: replaced while being created", tmp);
		close(fd);
		return -1;
	}
	return fd;
}

int priv_fifo(const char *dir, const char *prefix, mode_t mode, char *path)
{
	char tmp[PATH_MAX];
	mode_t old;
	int fd, r, k, tries = 0;

	do {
		uint64_t u = unique();
		k = snprintf(path, PATH_MAX, "%s/%s%ld.%08lx", dir, prefix,
			     (long)getpid(), (unsigned long)(u & 0xffffffffu));
		if (k < 0 || k >= PATH_MAX ||
		    snprintf(tmp, sizeof tmp, "%s/.%s%ld.%08lx", dir, prefix,
			     (long)getpid(), (unsigned long)(u & 0xffffffffu))
		    >= (int)sizeof tmp) {
			warnx_("%s: directory name too long", dir);
			return -1;
		}
		old = umask(0);
		r = mkfifo(tmp, mode);
		umask(old);
	} while (r < 0 && errno == EEXIST && ++tries < 100);
	if (r < 0) {
		warn_("cannot create a FIFO in %s", dir);
		return -1;
	}
	if ((fd = open_new(tmp)) < 0) {
		unlink(tmp);
		return -1;
	}
	/* link(), not rename(): it never replaces what has that name. */
	r = link(tmp, path);
	if (r < 0)
		warn_("cannot create %s", path);
	unlink(tmp);
	if (r < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

void out_defaults(struct rxopt *o, int listen)
{
	memset(o, 0, sizeof *o);
	o->format = '\n';
	o->count = listen ? UINT64_MAX : 1;
	o->timeout = -1;
	o->mode = 0600;
	o->max = DEFAULT_MAX_SIZE;
	o->listen = listen;
	o->fd = -1;
}

int out_option(int c, const char *arg, struct rxopt *o, const char *usage)
{
	switch (c) {
	case '0': case 'r': case 'j': case 'x':
		if (o->format != '\n' && o->format != c)
			return usage_err(usage, "-0, -r, --json and --exec "
					 "cannot be combined");
		o->format = c;
		if (c == 'x')
			o->exec = arg;
		return 0;
	case 'S':
		o->stop_on_error = 1;
		return 0;
	case 'M':
		return opt_size(usage, arg, &o->max);
	}
	return -1;
}

int out_check(const struct rxopt *o, const char *usage)
{
	if (o->stop_on_error && !o->exec)
		return usage_err(usage, "--stop-on-error goes with --exec");
	return -1;
}
