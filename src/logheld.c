/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logfile.h"
#include "logheld.h"

#define LOGHELD_DIR_MODE	0750

static int	held_dir(const char *, char *, size_t);
static int	held_list(const char *, unsigned long long **, size_t *);
static int	seq_cmp(const void *, const void *);

/* "DIR/.NAME.held" for the log DIR/NAME. */
static int
held_dir(const char *path, char *out, size_t len)
{
	const char	*slash = strrchr(path, '/');
	int		 n;

	if (slash == NULL)
		n = snprintf(out, len, ".%s.held", path);
	else
		n = snprintf(out, len, "%.*s/.%s.held", (int)(slash - path),
		    path, slash + 1);
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static int
seq_cmp(const void *a, const void *b)
{
	unsigned long long	 x = *(const unsigned long long *)a;
	unsigned long long	 y = *(const unsigned long long *)b;

	return x < y ? -1 : x > y;
}

/*
 * The numbers of the held files, ascending (malloc'd, or NULL when
 * there are none).  Names that are not plain numbers are no held file.
 */
static int
held_list(const char *path, unsigned long long **seqs, size_t *n)
{
	char			 dir[PATH_MAX], *end;
	unsigned long long	*v = NULL, *nv, s;
	size_t			 cap = 0;
	struct dirent		*de;
	DIR			*d;

	*seqs = NULL;
	*n = 0;
	if (held_dir(path, dir, sizeof(dir)) == -1)
		return -1;
	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		errno = 0;
		s = strtoull(de->d_name, &end, 10);
		if (*end != '\0' || errno != 0)
			continue;
		if (*n == cap) {
			cap = cap ? 2 * cap : 16;
			if ((nv = reallocarray(v, cap, sizeof(*v))) == NULL) {
				free(v);
				closedir(d);
				return -1;
			}
			v = nv;
		}
		v[(*n)++] = s;
	}
	closedir(d);
	if (*n > 1)
		qsort(v, *n, sizeof(*v), seq_cmp);
	*seqs = v;
	return 0;
}

size_t
logheld_count(const char *path)
{
	unsigned long long	*v;
	size_t			 n;

	if (held_list(path, &v, &n) == -1)
		return 0;
	free(v);
	return n;
}

int
logheld_name(const char *path, size_t i, char *out, size_t len)
{
	char			 dir[PATH_MAX];
	unsigned long long	*v;
	size_t			 n;
	int			 w;

	if (held_list(path, &v, &n) == -1 || i >= n) {
		free(v);
		return -1;
	}
	w = held_dir(path, dir, sizeof(dir)) == -1 ? -1 :
	    snprintf(out, len, "%s/%020llu", dir, v[n - 1 - i]);
	free(v);
	return w < 0 || (size_t)w >= len ? -1 : 0;
}

int
logheld_hold(const char *path, const char *name)
{
	char			 dir[PATH_MAX], to[PATH_MAX + 32];
	unsigned long long	*v;
	size_t			 n;
	unsigned long long	 next;

	if (held_dir(path, dir, sizeof(dir)) == -1)
		return -1;
	if (mkdir(dir, LOGHELD_DIR_MODE) == -1 && errno != EEXIST)
		return -1;
	if (held_list(path, &v, &n) == -1)
		return -1;
	next = n > 0 ? v[n - 1] + 1 : 1;
	free(v);
	snprintf(to, sizeof(to), "%s/%020llu", dir, next);
	if (rename(name, to) == -1)
		return -1;
	logfile_sync_dir(to);
	logfile_sync_dir(name);
	return 0;
}
