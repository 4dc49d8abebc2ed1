/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "path.h"

static bool	 safe_owner(const struct stat *, const char *, const char *,
		    char *, size_t);

char *
path_join(const char *dir, const char *p)
{
	char	*r;
	size_t	 n;

	if (p[0] == '/' || dir == NULL)
		return strdup(p);
	n = strlen(dir) + strlen(p) + 2;
	if ((r = malloc(n)) == NULL)
		return NULL;
	snprintf(r, n, "%s/%s", dir, p);
	return r;
}

char *
path_dir_of(const char *path)
{
	const char	*slash = strrchr(path, '/');

	if (slash == NULL)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

char *
path_absolute(const char *dir)
{
	char	 cwd[PATH_MAX];

	if (dir[0] == '/')
		return strdup(dir);
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		return NULL;
	if (strcmp(dir, ".") == 0)
		return strdup(cwd);
	return path_join(cwd, dir);
}

char *
path_exe_dir(void)
{
	char	 path[PATH_MAX], *slash;
	ssize_t	 n;

	if ((n = readlink("/proc/self/exe", path, sizeof(path) - 1)) <= 0)
		return strdup(".");
	path[n] = '\0';
	if ((slash = strrchr(path, '/')) == NULL)
		return strdup(".");
	if (slash == path)
		slash++;
	*slash = '\0';
	return strdup(path);
}

/* Owned by the effective user or root, and writable by no one else. */
static bool
safe_owner(const struct stat *st, const char *what, const char *path,
    char *why, size_t n)
{
	uid_t	 me = geteuid();

	if (st->st_uid != me && st->st_uid != 0) {
		snprintf(why, n, "%s %.200s is owned by uid %u, neither "
		    "ekahook's user (uid %u) nor root", what, path,
		    (unsigned)st->st_uid, (unsigned)me);
		return false;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(why, n, "%s %.200s is writable by its group or others",
		    what, path);
		return false;
	}
	return true;
}

bool
path_trusted(const char *path, char *why, size_t n)
{
	struct stat	 st;
	char		*dir;
	bool		 ok;

	if (path[0] != '/') {
		snprintf(why, n, "%.200s is not an absolute path", path);
		return false;
	}
	if (stat(path, &st) == -1) {
		snprintf(why, n, "%.200s: %s", path, strerror(errno));
		return false;
	}
	if (!safe_owner(&st, "the file", path, why, n))
		return false;
	if ((dir = path_dir_of(path)) == NULL) {
		snprintf(why, n, "out of memory");
		return false;
	}
	if (stat(dir, &st) == -1) {
		snprintf(why, n, "%.200s: %s", dir, strerror(errno));
		free(dir);
		return false;
	}
	ok = safe_owner(&st, "its directory", dir, why, n);
	free(dir);
	return ok;
}

int
path_make_dirs(const char *path, mode_t mode)
{
	char	 p[PATH_MAX], *s;
	int	 n;

	n = snprintf(p, sizeof(p), "%s", path);
	if (n < 0 || (size_t)n >= sizeof(p)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (mkdir(p, mode) == 0 || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -1;
	/* Something above is missing: make the path from the top down. */
	for (s = p + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		if (mkdir(p, mode) == -1 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(p, mode) == 0 || errno == EEXIST ? 0 : -1;
}
