/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "logfile.h"
#include "path.h"

#define LOGFILE_MODE		0640
#define LOGFILE_MAX_TRIES	64	/* rotations raced against in one append */
#define LOGFILE_SCAN_CHUNK	8192	/* read backwards this much at a time */
#define LOGFILE_TORN_MAX	(64L * 1024 * 1024)	/* longest fragment cut */

static int	logfile_open(struct logfile *);
static int	logfile_lock(int);
static bool	logfile_is_current(const struct logfile *, off_t *);
static void	logfile_mend_tail(const struct logfile *, off_t *, bool *);
static int	logfile_dir_open(const char *);
static int	logfile_rotate_locked(const struct logfile *);
static int	logfile_rotate(const struct logfile *);
static int	logfile_drop(const char *);
static int	logfile_write(int, const char *, size_t, bool, off_t);
static int	logfile_sync(struct logfile *);

void
logfile_init(struct logfile *lf, const char *path, uint64_t max_bytes,
    unsigned keep)
{
	memset(lf, 0, sizeof(*lf));
	lf->fd = -1;
	lf->path = path != NULL ? strdup(path) : NULL;
	lf->max_bytes = max_bytes;
	lf->keep = keep;
}


void
logfile_configure(struct logfile *lf, const char *path, uint64_t max_bytes,
    unsigned keep)
{
	lf->max_bytes = max_bytes;
	lf->keep = keep;
	if (lf->path != NULL && path != NULL && strcmp(lf->path, path) == 0)
		return;
	logfile_close(lf);
	free(lf->path);
	lf->path = path != NULL ? strdup(path) : NULL;
}

void
logfile_close(struct logfile *lf)
{
	if (lf->fd != -1)
		close(lf->fd);
	lf->fd = -1;
}

/*
 * Opens (creating if needed) the file at the path.  O_CREAT without
 * O_EXCL: a file renamed away between a create that failed and an open
 * would otherwise fail a request.  Read access is wanted to look at the
 * tail (logfile_mend_tail) but not required.
 */
static int
logfile_open(struct logfile *lf)
{
	struct stat	 st;
	int		 fd;

	if (lf->path == NULL) {
		errno = EINVAL;
		return -1;
	}
	lf->readable = true;
	fd = open(lf->path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC,
	    LOGFILE_MODE);
	if (fd == -1 && errno == EACCES) {
		lf->readable = false;
		fd = open(lf->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		    LOGFILE_MODE);
	}
	if (fd == -1)
		return -1;
	if (fstat(fd, &st) == -1) {
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	lf->fd = fd;
	lf->dev = st.st_dev;
	lf->ino = st.st_ino;
	lf->dir_synced = false;
	lf->end = -1;
	return 0;
}

static int
logfile_lock(int fd)
{
	while (flock(fd, LOCK_EX) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

/*
 * True when the open file is still the one at the path; then *size,
 * when asked for, is its size (the same inode: no fstat(2) needed).
 */
static bool
logfile_is_current(const struct logfile *lf, off_t *size)
{
	struct stat	 st;

	if (stat(lf->path, &st) == -1 || st.st_ino != lf->ino ||
	    st.st_dev != lf->dev)
		return false;
	if (size != NULL)
		*size = st.st_size;
	return true;
}

/*
 * A file whose last byte is not '\n' ends in a line that its writer
 * never finished: ekahook cuts its own short writes, so that writer was
 * killed inside write(2) (SIGKILL between two pages of the copy) or the
 * machine went down, and no 200 was sent for it.  The fragment is cut
 * off, under the lock, so the log keeps no partial line (ekahook(8)
 * "Logs") and *size becomes the new size.  When it cannot be read or
 * cut, *newline asks for our line to start on a line of its own
 * instead.  A file that still ends where our own last line through this
 * descriptor ended is not read: its last byte is that line's newline
 * (saves a pread(2) per line while one process writes; only a
 * copytruncate regrowing the file to exactly that size could hide a
 * fragment from this check).
 */
static void
logfile_mend_tail(const struct logfile *lf, off_t *size, bool *newline)
{
	char	 chunk[LOGFILE_SCAN_CHUNK], *nl;
	off_t	 end = *size, from, keep = -1;

	*newline = false;
	/* Empty, or it ends where our own last line did: nothing to mend. */
	if (*size == 0 || *size == lf->end)
		return;
	if (!lf->readable || pread(lf->fd, chunk, 1, *size - 1) != 1) {
		/* Cannot tell; a stray empty line is better than a torn one. */
		*newline = lf->readable;
		return;
	}
	if (chunk[0] == '\n')
		return;
	while (keep == -1 && end > 0 && *size - end < LOGFILE_TORN_MAX) {
		from = end > (off_t)sizeof(chunk) ?
		    end - (off_t)sizeof(chunk) : 0;
		if (pread(lf->fd, chunk, (size_t)(end - from), from) !=
		    end - from)
			break;
		if ((nl = memrchr(chunk, '\n', (size_t)(end - from))) != NULL)
			keep = from + (nl - chunk) + 1;
		else if (from == 0)
			keep = 0;	/* the whole file is one fragment */
		end = from;
	}
	if (keep == -1 || ftruncate(lf->fd, keep) == -1) {
		*newline = true;
		return;
	}
	fprintf(stderr, "ekahook: %s: cut off a partial last line of %lld "
	    "bytes (its writer died before finishing it)\n", lf->path,
	    (long long)(*size - keep));
	*size = keep;
}

/* The directory path is in, opened; -1 with errno on failure. */
static int
logfile_dir_open(const char *path)
{
	char	*dir;
	int	 fd, saved;

	if ((dir = path_dir_of(path)) == NULL)
		return -1;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	saved = errno;
	free(dir);
	errno = saved;
	return fd;
}

void
logfile_sync_dir(const char *path)
{
	int	 fd;

	if ((fd = logfile_dir_open(path)) == -1)
		return;
	(void)fsync(fd);
	close(fd);
}

/*
 * Rotation under a second lock, flock(2) on the log's directory, taken
 * while the file's own lock is held.  The file's lock alone cannot keep
 * two rotations apart: when another tool renames the file away and
 * creates a new one at the path (logrotate's `create`), a process still
 * holding the old file's lock and one holding the new file's both saw
 * their file at the path, and two chains of renames at once would
 * overwrite each other's .N files.  Under the directory lock the path
 * is looked at again and rotated only if it is still our file.
 */
static int
logfile_rotate_locked(const struct logfile *lf)
{
	int	 dfd, rc = 0, saved;

	if ((dfd = logfile_dir_open(lf->path)) == -1)
		return -1;
	if (logfile_lock(dfd) == -1) {
		saved = errno;
		close(dfd);
		errno = saved;
		return -1;
	}
	if (logfile_is_current(lf, NULL))
		rc = logfile_rotate(lf);
	saved = errno;
	close(dfd);	/* closing drops the lock */
	errno = saved;
	return rc;
}

/* A file a rotation drops (the hook queue holds its own copies). */
static int
logfile_drop(const char *name)
{
	return unlink(name) == -1 && errno != ENOENT ? -1 : 0;
}

/*
 * path.keep and any older path.N are dropped, path.N becomes path.N+1,
 * path becomes path.1.  The older ones are there when log_keep was
 * lowered: they go at the next rotation (ekahook.conf(5) log_keep),
 * oldest first, from the last there is down to path.keep.
 * Called with the current file's lock and the directory's held
 * (logfile_rotate_locked), so rotations never overlap.  Another tool
 * (logrotate) may rename path away meanwhile: then what is at the path
 * is rotated (nothing is lost), and the caller follows the path anyway.
 */
static int
logfile_rotate(const struct logfile *lf)
{
	char		 from[PATH_MAX], to[PATH_MAX];
	struct stat	 st;
	unsigned	 i, first = lf->keep > 0 ? lf->keep : 1, last;

	for (last = first; last < UINT_MAX; last++) {
		snprintf(to, sizeof(to), "%s.%u", lf->path, last);
		if (lstat(to, &st) == -1)
			break;
	}
	for (i = last; i-- > first;) {
		snprintf(to, sizeof(to), "%s.%u", lf->path, i);
		if (logfile_drop(to) == -1)
			return -1;
	}
	if (lf->keep == 0)
		return logfile_drop(lf->path);
	for (i = lf->keep - 1; i >= 1; i--) {
		snprintf(from, sizeof(from), "%s.%u", lf->path, i);
		snprintf(to, sizeof(to), "%s.%u", lf->path, i + 1);
		if (rename(from, to) == -1 && errno != ENOENT)
			return -1;
	}
	snprintf(to, sizeof(to), "%s.1", lf->path);
	if (rename(lf->path, to) == -1 && errno != ENOENT)
		return -1;
	return 0;
}

/*
 * One write(2) of the line, after a '\n' with newline (one writev(2):
 * still a single append).  A short write is cut back to off, the size
 * before it.  Returns 0 or -1.
 */
static int
logfile_write(int fd, const char *line, size_t len, bool newline, off_t off)
{
	static char	 nl[] = "\n";
	struct iovec	 iov[2];
	ssize_t		 w;
	size_t		 total = len + newline;
	int		 saved;

	iov[0].iov_base = nl;
	iov[0].iov_len = 1;
	iov[1].iov_base = (void *)line;
	iov[1].iov_len = len;
	do
		w = writev(fd, newline ? iov : iov + 1, newline ? 2 : 1);
	while (w == -1 && errno == EINTR);
	if (w == (ssize_t)total)
		return 0;
	saved = w == -1 ? errno : ENOSPC;
	/*
	 * Leave no partial line (ekahook(8) "Requests", 503); say so if even
	 * that fails.
	 */
	if (w > 0 && ftruncate(fd, off) == -1)
		fprintf(stderr, "ekahook: cannot cut back a partial line: %s\n",
		    strerror(errno));
	errno = saved;
	return -1;
}

/*
 * Puts the line on disk; called without the lock, so that concurrent
 * writers' syncs overlap.  The directory is synced once per file
 * opened: the file may be new (made by any process) or just renamed by
 * a rotation, and its name must survive a crash as well as its data.
 */
static int
logfile_sync(struct logfile *lf)
{
	int	 saved;

	if (fdatasync(lf->fd) == -1) {
		saved = errno;
		logfile_close(lf);
		errno = saved;
		return -1;
	}
	if (!lf->dir_synced) {
		logfile_sync_dir(lf->path);
		lf->dir_synced = true;
	}
	return 0;
}

int
logfile_append(struct logfile *lf, const char *line, size_t len, bool sync)
{
	off_t		 size;
	bool		 newline;
	int		 tries, saved;

	for (tries = 0; tries < LOGFILE_MAX_TRIES; tries++) {
		if (lf->fd == -1 && logfile_open(lf) == -1)
			return -1;
		if (logfile_lock(lf->fd) == -1)
			goto fail;
		if (!logfile_is_current(lf, &size)) {
			/* Renamed away: write to whatever is at the path now. */
			logfile_close(lf);
			continue;
		}
		logfile_mend_tail(lf, &size, &newline);
		/* A line longer than max_bytes goes alone into a new file. */
		if (lf->max_bytes > 0 && size > 0 &&
		    (uint64_t)size + newline + len > lf->max_bytes) {
			if (logfile_rotate_locked(lf) == -1)
				goto fail;
			logfile_close(lf);
			continue;
		}
		if (logfile_write(lf->fd, line, len, newline, size) == -1)
			goto fail;
		lf->end = size + newline + (off_t)len;
		(void)flock(lf->fd, LOCK_UN);
		return sync ? logfile_sync(lf) : 0;
	}
	/* Renamed away LOGFILE_MAX_TRIES times in a row. */
	errno = EAGAIN;
	return -1;
fail:
	saved = errno;
	logfile_close(lf);	/* closing drops the lock */
	errno = saved;
	return -1;
}

int
logfile_ready(struct logfile *lf)
{
	if (lf->fd != -1 && logfile_is_current(lf, NULL))
		return 0;
	logfile_close(lf);
	return logfile_open(lf);
}
