/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "dedupe.h"

#define DEDUPE_FILE_MODE	0640
#define DEDUPE_MAX_TRIES	16

static int	lock_fd(int);

int
dedupe_mkdirs(const char *state_dir)
{
	return conf_make_state_dir(state_dir, "seen");
}

static int
lock_fd(int fd)
{
	while (flock(fd, LOCK_EX) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

int
dedupe_claim(const char *state_dir, const unsigned char *hash,
    long long window, time_t now, struct dedupe_claim *c)
{
	static const char hex[] = "0123456789abcdef";
	char		 name[2 * DEDUPE_HASH_LEN + 1], dir[PATH_MAX];
	struct stat	 st;
	int		 fd, tries;
	size_t		 i;

	c->fd = -1;
	c->duplicate = false;
	for (i = 0; i < DEDUPE_HASH_LEN; i++) {
		name[2 * i] = hex[hash[i] >> 4];
		name[2 * i + 1] = hex[hash[i] & 15];
	}
	name[2 * DEDUPE_HASH_LEN] = '\0';
	if (snprintf(dir, sizeof(dir), "%s/seen/%.2s", state_dir, name) >=
	    (int)sizeof(dir) || snprintf(c->path, sizeof(c->path), "%s/%s",
	    dir, name) >= (int)sizeof(c->path))
		return -1;
	for (tries = 0; tries < DEDUPE_MAX_TRIES; tries++) {
		fd = open(c->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
		    DEDUPE_FILE_MODE);
		if (fd == -1 && errno == ENOENT) {
			/* First use of this bucket: make the directories. */
			if (conf_make_state_dir(state_dir, dir +
			    strlen(state_dir) + 1) == -1)
				return -1;
			continue;
		}
		if (fd == -1 && errno != EEXIST)
			return -1;
		if (fd == -1 && (fd = open(c->path, O_RDWR | O_CLOEXEC)) == -1) {
			if (errno == ENOENT)
				continue;	/* removed meanwhile */
			return -1;
		}
		if (lock_fd(fd) == -1 || fstat(fd, &st) == -1) {
			close(fd);
			return -1;
		}
		if (st.st_nlink == 0) {
			/* Its writer failed and removed it: try afresh. */
			close(fd);
			continue;
		}
		if (st.st_size > 0 && now - st.st_mtime <= window &&
		    now - st.st_mtime >= -window) {
			c->duplicate = true;
			close(fd);
			return 0;
		}
		/* New, stale, or left by a writer that died: ours now. */
		if (st.st_size > 0 && ftruncate(fd, 0) == -1) {
			close(fd);
			return -1;
		}
		c->fd = fd;
		return 0;
	}
	errno = EAGAIN;
	return -1;
}

void
dedupe_commit(struct dedupe_claim *c)
{
	struct timespec	 ts[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };

	if (c->fd == -1)
		return;
	/* The byte says "accepted"; the mtime says when. */
	if (pwrite(c->fd, "1", 1, 0) == 1)
		(void)futimens(c->fd, ts);
	close(c->fd);
	c->fd = -1;
}

void
dedupe_abort(struct dedupe_claim *c)
{
	if (c->fd == -1)
		return;
	(void)unlink(c->path);
	close(c->fd);
	c->fd = -1;
}

void
dedupe_prune(const char *state_dir, unsigned bucket, long long window,
    time_t now)
{
	char		 dir[PATH_MAX], p[PATH_MAX];
	DIR		*d;
	struct dirent	*e;
	struct stat	 st;
	int		 fd;

	if (snprintf(dir, sizeof(dir), "%s/seen/%02x", state_dir,
	    bucket & 0xff) >= (int)sizeof(dir))
		return;
	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' ||
		    snprintf(p, sizeof(p), "%s/%s", dir, e->d_name) >=
		    (int)sizeof(p))
			continue;
		if (stat(p, &st) == -1 || now - st.st_mtime <= window)
			continue;
		/* Never remove a marker whose writer is still at work. */
		if ((fd = open(p, O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0 &&
		    fstat(fd, &st) == 0 && st.st_nlink > 0 &&
		    now - st.st_mtime > window)
			(void)unlink(p);
		close(fd);
	}
	closedir(d);
}

void
dedupe_prune_due(const char *state_dir, long long window, time_t now)
{
	struct timespec	 ts[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
	struct stat	 st;
	char		 stamp[PATH_MAX];
	long long	 every = window < DEDUPE_PRUNE_EVERY ? window :
			    DEDUPE_PRUNE_EVERY;
	unsigned	 b;
	int		 fd;

	if (snprintf(stamp, sizeof(stamp), "%s/seen/.pruned", state_dir) >=
	    (int)sizeof(stamp))
		return;
	if (stat(stamp, &st) == 0 && now - st.st_mtime < every &&
	    st.st_mtime <= now)
		return;
	if ((fd = open(stamp, O_RDWR | O_CREAT | O_CLOEXEC,
	    DEDUPE_FILE_MODE)) == -1)
		return;
	/* One process prunes; the others go on. */
	if (flock(fd, LOCK_EX | LOCK_NB) == -1 || fstat(fd, &st) == -1 ||
	    (st.st_size > 0 && now - st.st_mtime < every &&
	    st.st_mtime <= now)) {
		close(fd);
		return;
	}
	/* Marked first: a prune that dies halfway is not retried at once. */
	if (pwrite(fd, "1", 1, 0) == 1)
		(void)futimens(fd, ts);
	for (b = 0; b < 256; b++)
		dedupe_prune(state_dir, b, window, now);
	close(fd);
}
