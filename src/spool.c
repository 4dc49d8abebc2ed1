/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "reqline.h"
#include "spool.h"

#define SPOOL_DIR_MODE	0750
#define TMP_MAX_AGE	3600	/* seconds a file may stay in tmp/ */

/* How a file written reaches the disk. */
enum spool_sync {
	SPOOL_LAZY,	/* when the kernel writes it back */
	SPOOL_START,	/* written back now, waited for by commit_put */
	SPOOL_SYNC	/* on disk before the call returns */
};

static int	 open_dir(int, const char *);
static int	 box_fd(const struct spool *, enum spool_box);
static int	 tmp_name(char *, size_t, const char *, const char *);
static int	 write_file(const struct spool *, const char *,
		    const struct iovec *, int, const struct timespec *,
		    enum spool_sync);
static int	 save_job(const struct spool *, const char *,
		    const struct job *, bool);
/* What tries/<id> held. */
enum loaded {
	LOADED,			/* a job state */
	LOADED_NONE,		/* no file: the job has not run yet */
	LOADED_UNREADABLE
};

static enum loaded load_job(const struct spool *, const char *,
		    struct job *);
static int	 put_file(struct spool *, const char *, const char *,
		    const struct timespec *, const char *, size_t,
		    const struct job *, enum spool_sync);
static int	 commit_put(struct spool *, bool);
static void	 drop_put(struct spool *);
static int	 name_cmp(const void *, const void *);
static int	 list_dir(int, char ***, size_t *);

void
spool_init(struct spool *sp)
{
	sp->state_dir = NULL;
	sp->hooks_fd = sp->new_fd = sp->failed_fd = sp->tmp_fd =
	    sp->tries_fd = sp->put_fd = -1;
	sp->put_id[0] = '\0';
}

/* at/name as a directory, made first when missing.  A descriptor or -1. */
static int
open_dir(int at, const char *name)
{
	int	 fd;

	fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT) {
		if (mkdirat(at, name, SPOOL_DIR_MODE) == -1 && errno != EEXIST)
			return -1;
		fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	return fd;
}

int
spool_open(struct spool *sp, const char *state_dir)
{
	int	 sd;

	if (sp->state_dir != NULL && strcmp(sp->state_dir, state_dir) == 0)
		return 0;
	spool_close(sp);
	if ((sd = open_dir(AT_FDCWD, state_dir)) == -1)
		return -1;
	sp->hooks_fd = open_dir(sd, SPOOL_DIR);
	close(sd);
	if (sp->hooks_fd == -1 ||
	    (sp->new_fd = open_dir(sp->hooks_fd, "new")) == -1 ||
	    (sp->failed_fd = open_dir(sp->hooks_fd, "failed")) == -1 ||
	    (sp->tmp_fd = open_dir(sp->hooks_fd, "tmp")) == -1 ||
	    (sp->tries_fd = open_dir(sp->hooks_fd, "tries")) == -1 ||
	    (sp->state_dir = strdup(state_dir)) == NULL) {
		int	 saved = errno;

		spool_close(sp);
		errno = saved;
		return -1;
	}
	return 0;
}

void
spool_close(struct spool *sp)
{
	int	*fds[] = { &sp->hooks_fd, &sp->new_fd, &sp->failed_fd,
		    &sp->tmp_fd, &sp->tries_fd };
	size_t	 i;

	/* One put and neither committed nor dropped: it stays queued. */
	if (sp->put_fd != -1)
		close(sp->put_fd);
	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (*fds[i] != -1)
			close(*fds[i]);
	free(sp->state_dir);
	spool_init(sp);
}

int
spool_path(char *out, size_t len, const char *state_dir, const char *name)
{
	int	 n;

	n = snprintf(out, len, "%s/%s/%s", state_dir, SPOOL_DIR, name);
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static int
box_fd(const struct spool *sp, enum spool_box box)
{
	return box == SPOOL_NEW ? sp->new_fd : sp->failed_fd;
}

/* A name in tmp/ no other process uses: the id, what, our pid. */
static int
tmp_name(char *out, size_t len, const char *id, const char *what)
{
	int	 n;

	n = snprintf(out, len, "%s.%s.%ld", id, what, (long)getpid());
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/*
 * Writes iov into tmp/<tmp>, whose mtime becomes *times when given.
 * Returns its descriptor, or -1 with the file gone.  SPOOL_SYNC: its
 * bytes are on disk on return; SPOOL_START: on their way there (see
 * put_file).
 */
static int
write_file(const struct spool *sp, const char *tmp, const struct iovec *iov,
    int iovcnt, const struct timespec *times, enum spool_sync how)
{
	ssize_t	 want = 0, w;
	int	 fd, i, saved;

	for (i = 0; i < iovcnt; i++)
		want += (ssize_t)iov[i].iov_len;
	fd = openat(sp->tmp_fd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    SPOOL_MODE);
	if (fd == -1 && errno == EEXIST && unlinkat(sp->tmp_fd, tmp, 0) == 0)
		fd = openat(sp->tmp_fd, tmp, O_WRONLY | O_CREAT | O_EXCL |
		    O_CLOEXEC, SPOOL_MODE);
	if (fd == -1)
		return -1;
	while ((w = writev(fd, iov, iovcnt)) == -1 && errno == EINTR)
		continue;
	if (w != want) {
		if (w >= 0)
			errno = ENOSPC;
		goto fail;
	}
	if (times != NULL) {
		struct timespec	 ts[2] = { *times, *times };

		if (futimens(fd, ts) == -1)
			goto fail;
	}
	if (how == SPOOL_SYNC && fsync(fd) == -1)
		goto fail;
#ifdef HAVE_SYNC_FILE_RANGE
	/* Only a head start: commit_put's fsync is what waits. */
	if (how == SPOOL_START)
		(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
	return fd;
fail:
	saved = errno;
	close(fd);
	(void)unlinkat(sp->tmp_fd, tmp, 0);
	errno = saved;
	return -1;
}

static int
save_job(const struct spool *sp, const char *id, const struct job *j,
    bool sync)
{
	char		 text[JOB_TEXT_MAX], tmp[NAME_MAX + 1];
	struct iovec	 iov;
	int		 n, fd;

	n = job_format(text, sizeof(text), j);
	if (n < 0 || (size_t)n >= sizeof(text) ||
	    tmp_name(tmp, sizeof(tmp), id, "tries") == -1) {
		errno = EINVAL;
		return -1;
	}
	iov.iov_base = text;
	iov.iov_len = (size_t)n;
	if ((fd = write_file(sp, tmp, &iov, 1, NULL, sync ? SPOOL_SYNC :
	    SPOOL_LAZY)) == -1)
		return -1;
	if (close(fd) == -1 ||
	    renameat(sp->tmp_fd, tmp, sp->tries_fd, id) == -1) {
		int	 saved = errno;

		(void)unlinkat(sp->tmp_fd, tmp, 0);
		errno = saved;
		return -1;
	}
	return sync ? fsync(sp->tries_fd) : 0;
}

/* tries/<id>, read. */
static enum loaded
load_job(const struct spool *sp, const char *id, struct job *j)
{
	char	 text[JOB_TEXT_MAX];
	ssize_t	 n;
	int	 fd;

	if ((fd = openat(sp->tries_fd, id, O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW)) == -1)
		return errno == ENOENT ? LOADED_NONE : LOADED_UNREADABLE;
	n = read(fd, text, sizeof(text));
	close(fd);
	if (n <= 0 || job_parse(text, (size_t)n, j) == -1) {
		errno = EINVAL;
		return LOADED_UNREADABLE;
	}
	return LOADED;
}

int
spool_add(struct spool *sp, const char *state_dir, const char *id,
    const struct timespec *received, const char *text, size_t len,
    const struct job *j, bool sync)
{
	if (put_file(sp, state_dir, id, received, text, len, j,
	    sync ? SPOOL_SYNC : SPOOL_LAZY) == -1)
		return -1;
	return commit_put(sp, sync);
}

enum spool_added
spool_add_logged(struct spool *sp, const char *state_dir, const char *id,
    const struct timespec *received, const char *text, size_t len,
    bool sync, spool_log_fn log, void *arg)
{
	/* Its write-back started now, waited for after the log's. */
	if (put_file(sp, state_dir, id, received, text, len, NULL,
	    sync ? SPOOL_START : SPOOL_LAZY) == -1)
		return SPOOL_NOT_QUEUED;
	if (log(arg) == -1) {
		drop_put(sp);
		return SPOOL_NOT_LOGGED;
	}
	return commit_put(sp, sync) == -1 ? SPOOL_NOT_QUEUED : SPOOL_ADDED;
}

/*
 * new/<id> in place, locked until commit_put() or drop_put(); one
 * at a time per struct spool.
 */
static int
put_file(struct spool *sp, const char *state_dir, const char *id,
    const struct timespec *received, const char *text, size_t len,
    const struct job *j, enum spool_sync how)
{
	char		 tmp[NAME_MAX + 1];
	struct iovec	 iov[2];
	int		 fd, saved;

	if (!reqline_id_ok(id) || tmp_name(tmp, sizeof(tmp), id, "new") ==
	    -1 || sp->put_fd != -1) {
		errno = EINVAL;
		return -1;
	}
	if (spool_open(sp, state_dir) == -1)
		return -1;
	if (j != NULL && j->attempts > 0 && save_job(sp, id, j,
	    how != SPOOL_LAZY) == -1)
		return -1;
	iov[0].iov_base = (void *)text;
	iov[0].iov_len = len;
	iov[1].iov_base = (void *)"\n";
	iov[1].iov_len = 1;
	if ((fd = write_file(sp, tmp, iov, 2, received, how)) == -1)
		return -1;
	/* A new file: the lock is ours at once, and keeps runners off. */
	if (flock(fd, LOCK_EX | LOCK_NB) == -1 ||
	    renameat(sp->tmp_fd, tmp, sp->new_fd, id) == -1) {
		saved = errno;
		close(fd);
		(void)unlinkat(sp->tmp_fd, tmp, 0);
		errno = saved;
		return -1;
	}
	sp->put_fd = fd;
	memcpy(sp->put_id, id, strlen(id) + 1);
	return 0;
}

/* The put file kept for runners (with sync, its bytes and name on disk). */
static int
commit_put(struct spool *sp, bool sync)
{
	int	 saved;

	if (sp->put_fd == -1)
		return 0;
	/* ekahook.conf(5) log_fsync = always: the bytes and the name. */
	if (sync && (fsync(sp->put_fd) == -1 || fsync(sp->new_fd) == -1)) {
		saved = errno;
		drop_put(sp);
		errno = saved;
		return -1;
	}
	(void)close(sp->put_fd);
	sp->put_fd = -1;
	sp->put_id[0] = '\0';
	return 0;
}

static void
drop_put(struct spool *sp)
{
	if (sp->put_fd == -1)
		return;
	/* Gone before the lock goes: no runner ever takes it. */
	if (unlinkat(sp->new_fd, sp->put_id, 0) == -1 && errno != ENOENT)
		fprintf(stderr, "ekahook: %s/%s/new/%s: cannot remove: %s\n",
		    sp->state_dir, SPOOL_DIR, sp->put_id, strerror(errno));
	(void)unlinkat(sp->tries_fd, sp->put_id, 0);
	close(sp->put_fd);
	sp->put_fd = -1;
	sp->put_id[0] = '\0';
}

bool
spool_has(const struct spool *sp, enum spool_box box, const char *id)
{
	struct stat	 st;

	return reqline_id_ok(id) &&
	    fstatat(box_fd(sp, box), id, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
spool_list(const struct spool *sp, enum spool_box box, char ***names,
    size_t *n)
{
	return list_dir(box_fd(sp, box), names, n);
}

/* The request ids named in directory dir_fd, sorted. */
static int
list_dir(int dir_fd, char ***names, size_t *n)
{
	DIR		*d;
	struct dirent	*de;
	char		**v = NULL, **nv;
	size_t		 cap = 0;
	int		 fd;

	*names = NULL;
	*n = 0;
	/* A description of its own: readdir starts at the beginning. */
	if ((fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!reqline_id_ok(de->d_name))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((nv = realloc(v, cap * sizeof(*v))) == NULL)
				goto fail;
			v = nv;
		}
		if ((v[*n] = strdup(de->d_name)) == NULL)
			goto fail;
		(*n)++;
	}
	closedir(d);
	if (*n > 1)
		qsort(v, *n, sizeof(*v), name_cmp);
	*names = v;
	return 0;
fail:
	closedir(d);
	spool_list_free(v, *n);
	*n = 0;
	errno = ENOMEM;
	return -1;
}

void
spool_list_free(char **v, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int
spool_take(const struct spool *sp, const char *id)
{
	struct stat	 a, b;
	int		 fd;

	if (!reqline_id_ok(id)) {
		errno = ENOENT;
		return -1;
	}
	if ((fd = openat(sp->new_fd, id, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) == -1)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		close(fd);
		errno = EWOULDBLOCK;
		return -1;
	}
	/* Settled by its last holder between our open and our lock? */
	if (fstat(fd, &a) == -1 || !S_ISREG(a.st_mode) ||
	    fstatat(sp->new_fd, id, &b, AT_SYMLINK_NOFOLLOW) == -1 ||
	    a.st_ino != b.st_ino || a.st_dev != b.st_dev) {
		close(fd);
		errno = ENOENT;
		return -1;
	}
	return fd;
}

int
spool_job(const struct spool *sp, const char *id, int fd, struct job *j)
{
	struct stat	 st;

	switch (load_job(sp, id, j)) {
	case LOADED:
		return 0;
	case LOADED_UNREADABLE:
		return -1;
	case LOADED_NONE:
		break;
	}
	if (fd == -1) {
		*j = job_new(0);
		return 0;
	}
	if (fstat(fd, &st) == -1)
		return -1;
	*j = job_new((long long)st.st_mtim.tv_sec * 1000 +
	    st.st_mtim.tv_nsec / 1000000);
	return 0;
}

int
spool_settle(const struct spool *sp, const char *id, enum job_where where,
    const struct job *j, bool sync)
{
	switch (where) {
	case JOB_DONE:
		if (unlinkat(sp->new_fd, id, 0) == -1 && errno != ENOENT)
			return -1;
		if (unlinkat(sp->tries_fd, id, 0) == -1 && errno != ENOENT)
			return -1;
		/*
		 * Not synced: a removal lost with the machine runs the hook
		 * once more, as a hook cut short by it does (at least once),
		 * and a sync per hook would take the request path's disk.
		 */
		return 0;
	case JOB_WAIT:
		return save_job(sp, id, j, sync);
	case JOB_DEAD:
		/* Its attempts keep their numbers through a replay. */
		if (save_job(sp, id, j, sync) == -1 ||
		    renameat(sp->new_fd, id, sp->failed_fd, id) == -1)
			return -1;
		return sync && (fsync(sp->failed_fd) == -1 ||
		    fsync(sp->new_fd) == -1) ? -1 : 0;
	}
	errno = EINVAL;
	return -1;
}

int
spool_requeue(const struct spool *sp, const char *id, long long now_ms,
    bool sync)
{
	struct job	 j, r;

	if (!reqline_id_ok(id)) {
		errno = ENOENT;
		return -1;
	}
	switch (load_job(sp, id, &j)) {
	case LOADED:
		break;
	case LOADED_NONE:
		j = job_new(now_ms);
		break;
	case LOADED_UNREADABLE:
		return -1;
	}
	r = job_replay(&j, now_ms);
	if ((r.attempts > 0 && save_job(sp, id, &r, sync) == -1) ||
	    renameat(sp->failed_fd, id, sp->new_fd, id) == -1)
		return -1;
	return sync && (fsync(sp->new_fd) == -1 ||
	    fsync(sp->failed_fd) == -1) ? -1 : 0;
}

void
spool_tidy(const struct spool *sp, time_t now)
{
	char		**v;
	size_t		 n, i;
	struct stat	 st;
	DIR		*d;
	struct dirent	*de;
	int		 fd;

	/* tmp/: a writer that died; its event was never answered 200. */
	if ((fd = openat(sp->tmp_fd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) != -1 && (d = fdopendir(fd)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.' &&
			    fstatat(sp->tmp_fd, de->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
			    st.st_ctim.tv_sec + TMP_MAX_AGE < now)
				(void)unlinkat(sp->tmp_fd, de->d_name, 0);
		closedir(d);
	} else if (fd != -1)
		close(fd);
	/* tries/: states of events neither waiting nor dead. */
	if (list_dir(sp->tries_fd, &v, &n) == -1)
		return;
	for (i = 0; i < n; i++)
		if (!spool_has(sp, SPOOL_NEW, v[i]) &&
		    !spool_has(sp, SPOOL_FAILED, v[i]))
			(void)unlinkat(sp->tries_fd, v[i], 0);
	spool_list_free(v, n);
}
