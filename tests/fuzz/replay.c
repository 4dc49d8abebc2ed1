/* SPDX-License-Identifier: MIT */
/*
 * A main() for the fuzz harnesses without libFuzzer: runs every file
 * named on the command line, or every file in a named directory, once
 * through LLVMFuzzerTestOneInput.  `make check` uses it to replay the
 * committed corpora and the inputs that once crashed, in the normal
 * and the sanitizer build.
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

#define REPLAY_MAX_INPUT	(4 * 1024 * 1024)

static int	replay_file(const char *);
static int	replay_dir(const char *);
static int	name_cmp(const void *, const void *);

static unsigned long	nrun;

static int
replay_file(const char *path)
{
	FILE	*fp;
	char	*data;
	size_t	 n;

	if ((fp = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	/* One byte more than allowed tells an oversized input apart. */
	if ((data = malloc(REPLAY_MAX_INPUT + 1)) == NULL) {
		fclose(fp);
		fprintf(stderr, "replay: out of memory\n");
		return -1;
	}
	n = fread(data, 1, REPLAY_MAX_INPUT + 1, fp);
	if (ferror(fp) || n > REPLAY_MAX_INPUT) {
		fprintf(stderr, "replay: %s: unreadable or too large\n", path);
		free(data);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	(void)LLVMFuzzerTestOneInput((const uint8_t *)data, n);
	free(data);
	nrun++;
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The directory's regular files in name order, so runs repeat. */
static int
replay_dir(const char *dir)
{
	DIR		*d;
	struct dirent	*e;
	char		**names = NULL, **nv, path[PATH_MAX];
	size_t		 n = 0, i;
	int		 rc = 0;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if ((nv = realloc(names, (n + 1) * sizeof(*names))) == NULL ||
		    (nv[n] = strdup(e->d_name)) == NULL) {
			fprintf(stderr, "replay: out of memory\n");
			names = nv != NULL ? nv : names;
			rc = -1;
			break;
		}
		names = nv;
		n++;
	}
	closedir(d);
	if (rc == 0)
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		if (rc == 0 && snprintf(path, sizeof(path), "%s/%s", dir,
		    names[i]) < (int)sizeof(path) && replay_file(path) == -1)
			rc = -1;
		free(names[i]);
	}
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	struct stat	 st;
	int		 i, rc = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == -1) {
			fprintf(stderr, "replay: %s: %s\n", argv[i],
			    strerror(errno));
			rc = 1;
		} else if (S_ISDIR(st.st_mode)) {
			if (replay_dir(argv[i]) == -1)
				rc = 1;
		} else if (replay_file(argv[i]) == -1)
			rc = 1;
	}
	printf("%s: %lu inputs replayed\n", argv[0], nrun);
	return rc;
}
