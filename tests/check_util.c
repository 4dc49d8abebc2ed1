/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "suites.h"

static int	rm_one(const char *, const struct stat *, int, struct FTW *);

char *
tu_tmpdir(void)
{
	const char	*base = getenv("TMPDIR");
	char		*p;

	if (base == NULL || *base == '\0')
		base = "/tmp";
	p = tu_join(base, "ekahook-check.XXXXXX");
	ck_assert_msg(mkdtemp(p) != NULL, "mkdtemp %s: %s", p,
	    strerror(errno));
	return p;
}

static int
rm_one(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)st;
	(void)f;
	if (type == FTW_DP)
		(void)rmdir(p);
	else
		(void)unlink(p);
	return 0;
}

void
tu_rmtree(const char *dir)
{
	if (dir != NULL)
		(void)nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *
tu_join(const char *dir, const char *name)
{
	size_t	 n = strlen(dir) + strlen(name) + 2;
	char	*p = malloc(n);

	ck_assert_ptr_nonnull(p);
	snprintf(p, n, "%s/%s", dir, name);
	return p;
}

char *
tu_read(const char *path, size_t *len)
{
	struct stat	 st;
	char		*p;
	ssize_t		 n;
	size_t		 got = 0;
	int		 fd;

	if ((fd = open(path, O_RDONLY)) == -1) {
		ck_assert_msg(errno == ENOENT, "open %s: %s", path,
		    strerror(errno));
		return NULL;
	}
	ck_assert_int_eq(fstat(fd, &st), 0);
	p = malloc((size_t)st.st_size + 1);
	ck_assert_ptr_nonnull(p);
	while (got < (size_t)st.st_size &&
	    (n = read(fd, p + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	ck_assert_uint_eq(got, (size_t)st.st_size);
	p[got] = '\0';
	if (len != NULL)
		*len = got;
	return p;
}

void
tu_write(const char *path, const char *data, size_t n)
{
	FILE	*fp = fopen(path, "w");

	ck_assert_msg(fp != NULL, "fopen %s: %s", path, strerror(errno));
	ck_assert_uint_eq(fwrite(data, 1, n, fp), n);
	ck_assert_int_eq(fclose(fp), 0);
}

void
tu_write_str(const char *path, const char *s)
{
	tu_write(path, s, strlen(s));
}

char *
tu_fixture(const char *name, size_t *len)
{
	char	*path = tu_join(FIXTURES, name), *p;

	p = tu_read(path, len);
	ck_assert_msg(p != NULL, "missing fixture %s", path);
	free(path);
	return p;
}

size_t
tu_count_lines(const char *s, size_t n)
{
	size_t	 i, c = 0;

	for (i = 0; i < n; i++)
		c += s[i] == '\n';
	return c;
}

int
tu_exists(const char *path)
{
	struct stat	 st;

	return lstat(path, &st) == 0;
}

int
tu_stderr_off(void)
{
	int	 saved, null;

	fflush(stderr);
	ck_assert_int_ne(saved = dup(STDERR_FILENO), -1);
	ck_assert_int_ne(null = open("/dev/null", O_WRONLY), -1);
	ck_assert_int_ne(dup2(null, STDERR_FILENO), -1);
	close(null);
	return saved;
}

void
tu_stderr_on(int saved)
{
	fflush(stderr);
	ck_assert_int_ne(dup2(saved, STDERR_FILENO), -1);
	close(saved);
}
