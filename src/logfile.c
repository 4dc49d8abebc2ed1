/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "logfile.h"

#define LOGFILE_MODE		0640
#define LOGFILE_MAX_TRIES	64	/* rotations raced against in one append */

static int	logfile_open(struct logfile *, bool *created);
static int	logfile_lock(int);
static int	logfile_rotate(const struct logfile *);
static void	sync_dir_of(const char *);
static int	write_all_once(int, const char *, size_t, off_t);

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

/* Opens the file at the path; sets *created when this call made it. */
static int
logfile_open(struct logfile *lf, bool *created)
{
	struct stat	 st;
	int		 fd;

	*created = false;
	if (lf->path == NULL) {
		errno = EINVAL;
		return -1;
	}
	/*
	 * Read access lets logfile_append look at the last byte for a torn
	 * line (pread on an O_WRONLY descriptor fails with EBADF); a file
	 * we may only write to is still used.
	 */
	fd = open(lf->path, O_RDWR | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC,
	    LOGFILE_MODE);
	if (fd != -1)
		*created = true;
	else if (errno == EEXIST &&
	    (fd = open(lf->path, O_RDWR | O_APPEND | O_CLOEXEC)) == -1 &&
	    errno == EACCES)
		fd = open(lf->path, O_WRONLY | O_APPEND | O_CLOEXEC);
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

/* Makes a rename or a new file durable: fsync of its directory. */
static void
sync_dir_of(const char *path)
{
	char	 dir[PATH_MAX], *slash;
	int	 fd;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return;
	if ((slash = strrchr(dir, '/')) == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	(void)fsync(fd);
	close(fd);
}

/*
 * path.keep is dropped, path.N becomes path.N+1, path becomes path.1.
 * Called with the lock on the current file held.
 */
static int
logfile_rotate(const struct logfile *lf)
{
	char		 from[PATH_MAX], to[PATH_MAX];
	unsigned	 i;

	if (lf->keep == 0)
		return unlink(lf->path);
	snprintf(to, sizeof(to), "%s.%u", lf->path, lf->keep);
	if (unlink(to) == -1 && errno != ENOENT)
		return -1;
	for (i = lf->keep - 1; i >= 1; i--) {
		snprintf(from, sizeof(from), "%s.%u", lf->path, i);
		snprintf(to, sizeof(to), "%s.%u", lf->path, i + 1);
		if (rename(from, to) == -1 && errno != ENOENT)
			return -1;
	}
	snprintf(to, sizeof(to), "%s.1", lf->path);
	return rename(lf->path, to);
}

/* One write(2); a short one is cut back to off.  Returns 0 or -1. */
static int
write_all_once(int fd, const char *p, size_t n, off_t off)
{
	ssize_t	 w;
	int	 saved;

	do
		w = write(fd, p, n);
	while (w == -1 && errno == EINTR);
	if (w == (ssize_t)n)
		return 0;
	saved = w == -1 ? errno : ENOSPC;
	/* Leave no partial line (SPEC §3, 503). */
	if (w > 0)
		(void)ftruncate(fd, off);
	errno = saved;
	return -1;
}

int
logfile_append(struct logfile *lf, const char *line, size_t len, bool sync)
{
	struct stat	 st, pst;
	bool		 created, dirty = false;
	char		 last, *fixed = NULL;
	const char	*out = line;
	size_t		 outlen = len;
	int		 tries, saved;

	for (tries = 0; tries < LOGFILE_MAX_TRIES; tries++) {
		if (lf->fd == -1) {
			if (logfile_open(lf, &created) == -1)
				return -1;
			dirty |= created;
		}
		if (logfile_lock(lf->fd) == -1 || fstat(lf->fd, &st) == -1)
			goto fail;
		if (stat(lf->path, &pst) == -1 || pst.st_ino != st.st_ino ||
		    pst.st_dev != st.st_dev) {
			/* Renamed away: write to whatever is at the path now. */
			logfile_close(lf);
			continue;
		}
		if (lf->max_bytes > 0 && st.st_size > 0 &&
		    (uint64_t)st.st_size + len > lf->max_bytes) {
			if (logfile_rotate(lf) == -1)
				goto fail;
			dirty = true;
			logfile_close(lf);
			continue;
		}
		/*
		 * A crash (not ekahook: it cuts its own short writes) may
		 * have left a torn last line; start ours on a fresh line.
		 */
		if (st.st_size > 0 && pread(lf->fd, &last, 1,
		    st.st_size - 1) == 1 && last != '\n' && fixed == NULL) {
			if ((fixed = malloc(len + 1)) == NULL)
				goto fail;
			fixed[0] = '\n';
			memcpy(fixed + 1, line, len);
			out = fixed;
			outlen = len + 1;
		}
		if (write_all_once(lf->fd, out, outlen, st.st_size) == -1)
			goto fail;
		(void)flock(lf->fd, LOCK_UN);
		free(fixed);
		if (sync) {
			if (dirty)
				sync_dir_of(lf->path);
			if (fdatasync(lf->fd) == -1) {
				saved = errno;
				logfile_close(lf);
				errno = saved;
				return -1;
			}
		}
		return 0;
	}
	free(fixed);
	errno = EAGAIN;
	return -1;
fail:
	saved = errno;
	free(fixed);
	logfile_close(lf);	/* closing drops the lock */
	errno = saved;
	return -1;
}

int
logfile_ready(struct logfile *lf)
{
	struct stat	 pst;
	bool		 created;

	if (lf->fd != -1 && stat(lf->path, &pst) == 0 &&
	    pst.st_ino == lf->ino && pst.st_dev == lf->dev)
		return 0;
	logfile_close(lf);
	return logfile_open(lf, &created);
}
