/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_util.h"

static char	 tmpdir[PATH_MAX];

static int	rm_one(const char *, const struct stat *, int, struct FTW *);
static void	remove_tmpdir(void);

static int
rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (type == FTW_DP)
		(void)rmdir(path);
	else
		(void)unlink(path);
	return 0;
}

void
fuzz_rm_rf(const char *path)
{
	(void)nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
remove_tmpdir(void)
{
	if (tmpdir[0] != '\0')
		fuzz_rm_rf(tmpdir);
}

const char *
fuzz_tmpdir(const char *tag)
{
	const char	*base = getenv("TMPDIR");
	int		 n;

	if (tmpdir[0] != '\0')
		return tmpdir;
	if (base == NULL || *base == '\0')
		base = "/tmp";
	n = snprintf(tmpdir, sizeof(tmpdir), "%s/ekahook-fuzz-%s.XXXXXX",
	    base, tag);
	if (n < 0 || (size_t)n >= sizeof(tmpdir) || mkdtemp(tmpdir) == NULL) {
		perror("fuzz: mkdtemp");
		abort();
	}
	atexit(remove_tmpdir);
	return tmpdir;
}

void
fuzz_write_file(const char *path, const void *p, size_t n)
{
	const char	*c = p;
	ssize_t		 w;
	int		 fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1) {
		perror(path);
		abort();
	}
	while (n > 0) {
		if ((w = write(fd, c, n)) == -1) {
			if (errno == EINTR)
				continue;
			perror(path);
			abort();
		}
		c += w;
		n -= (size_t)w;
	}
	if (close(fd) == -1) {
		perror(path);
		abort();
	}
}

void
fuzz_clean_env(void)
{
	extern char	**environ;
	char		  name[256];
	size_t		  n;
	int		  again = 1;

	/* unsetenv shifts environ: start over after each removal. */
	while (again) {
		again = 0;
		for (char **e = environ; e != NULL && *e != NULL; e++) {
			if (strncmp(*e, "EKAHOOK_", 8) != 0)
				continue;
			n = strcspn(*e, "=");
			if (n >= sizeof(name))
				continue;
			memcpy(name, *e, n);
			name[n] = '\0';
			(void)unsetenv(name);
			again = 1;
			break;
		}
	}
}

void
fuzz_fail(const char *what, size_t input_len)
{
	fprintf(stderr, "fuzz: invariant broken: %s (input of %zu bytes)\n",
	    what, input_len);
	abort();
}
