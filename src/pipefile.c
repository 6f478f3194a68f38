#include "compat.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fifomsg.h"
#include "io.h"
#include "pipefile.h"

/* Make the FIFO unless it exists, with exactly this mode. */
static int make(struct pipefile *pf, mode_t mode)
{
	if (io_mkfifo(pf->path, mode) == 0) {
		pf->created = 1;
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	warn_("cannot create %s", pf->path);
	return -1;
}

/* -c on an existing FIFO: only one that is ours and no more open than we
 * would have made it; anyone else's could be read by its owner.  Also
 * when we made it: the path may have been swapped before open(). */
static int ours(const struct pipefile *pf, mode_t mode)
{
	struct stat st;

	if (fstat(pf->fd, &st) < 0) {
		warn_("%s", pf->path);
		return 0;
	}
	if (st.st_uid != geteuid()) {
		warnx_("%s: refusing to use a FIFO owned by uid %u with -c",
		       pf->path, (unsigned)st.st_uid);
		return 0;
	}
	if (st.st_mode & 022 & ~mode) {
		warnx_("%s: refusing to use a FIFO writable by others "
		       "(mode %03o) with -c; use -m to allow it",
		       pf->path, (unsigned)(st.st_mode & 0777));
		return 0;
	}
	return 1;
}

int pipe_open(struct pipefile *pf, int create, mode_t mode, int keep)
{
	pf->fd = pf->keep = -1;
	pf->created = 0;
	pf->rw = 0;
	if (create && make(pf, mode))
		return -1;
	pf->fd = io_open_pipe(pf->path, 0, pf->follow);
	if (pf->fd >= 0 && keep && pipe_keep(pf)) {
		warn_("%s", pf->path);
		close(pf->fd);
		pf->fd = -1;
	}
	if (pf->fd < 0) {
		if (pf->created)
			unlink(pf->path);
		return -1;
	}
	if (create && !ours(pf, mode)) {
		pf->created = 0;	/* not ours to remove */
		pipe_close(pf);
		return -1;
	}
	return 0;
}

void pipe_adopt(struct pipefile *pf, int fd, int keep)
{
	char proc[40];
	int rfd;

	pf->created = 1;
	pf->keep = -1;
	pf->rw = 0;
	/* Read-only, so that pipe_unkeep() can let go of every write end
	 * of ours; where that cannot be done, fd keeps the pipe itself. */
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	rfd = open(proc, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (rfd >= 0) {
		close(fd);
		pf->fd = rfd;
	} else {
		pf->fd = fd;
		pf->rw = (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR;
	}
	if (keep && pipe_keep(pf) < 0)
		pf->rw = 1;	/* then at least never an end of file */
}

/* Through /proc, which works even once the path is gone; else through
 * the path, if it still names our FIFO. */
int pipe_keep(struct pipefile *pf)
{
	int fl = O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY, fd;
	char proc[40];
	struct stat a, b;

	if (pf->rw)
		return 0;	/* pf->fd is a write end too */
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", pf->fd);
	fd = open(proc, fl);
	if (fd < 0 && errno == ENOENT)
		fd = open(pf->path, fl | (pf->follow ? 0 : O_NOFOLLOW));
	if (fd < 0)
		return -1;
	if (fstat(fd, &a) < 0 || fstat(pf->fd, &b) < 0 ||
	    a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
		close(fd);
		errno = ESTALE;
		return -1;
	}
	pf->keep = fd;
	return 0;
}

void pipe_unkeep(struct pipefile *pf)
{
	if (pf->keep >= 0)
		close(pf->keep);
	pf->keep = -1;
}

void pipe_close(struct pipefile *pf)
{
	struct stat a, b;

	if (pf->fd < 0)
		return;
	if (pf->created && fstat(pf->fd, &a) == 0 &&
	    lstat(pf->path, &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino)
		unlink(pf->path);
	pipe_unkeep(pf);
	close(pf->fd);
	pf->fd = -1;
}
