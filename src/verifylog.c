/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "json.h"
#include "verifylog.h"

static bool	line_ok(const char *, size_t, char *, size_t);

/* True when the line (without its '\n') is one JSON object. */
static bool
line_ok(const char *p, size_t n, char *why, size_t whylen)
{
	struct json_error	 err;
	char			*out;
	size_t			 outlen;
	bool			 ok;

	if (n == 0) {
		snprintf(why, whylen, "empty line");
		return false;
	}
	if ((out = malloc(n + 1)) == NULL) {
		snprintf(why, whylen, "out of memory");
		return false;
	}
	ok = json_minify(p, n, out, &outlen, NULL, &err);
	if (!ok)
		snprintf(why, whylen, "%s", err.message);
	else if (out[0] != '{') {
		snprintf(why, whylen, "not a JSON object");
		ok = false;
	}
	free(out);
	return ok;
}

enum verifylog_result
verifylog_file(const char *path, FILE *out, struct verifylog_counts *vc)
{
	FILE			*fp;
	char			*line = NULL, why[160];
	size_t			 cap = 0;
	ssize_t			 n;
	unsigned long		 lineno = 0;
	enum verifylog_result	 rc = VERIFYLOG_GOOD;

	if ((fp = fopen(path, "r")) == NULL) {
		fprintf(out, "%s: cannot open: %s\n", path, strerror(errno));
		return VERIFYLOG_UNREADABLE;
	}
	while ((n = getline(&line, &cap, fp)) > 0) {
		lineno++;
		if (line[n - 1] != '\n') {
			fprintf(out, "%s:%lu: torn line (no newline at the end)\n",
			    path, lineno);
			vc->bad++;
			rc = VERIFYLOG_BAD;
			continue;
		}
		if (!line_ok(line, (size_t)n - 1, why, sizeof(why))) {
			fprintf(out, "%s:%lu: %s\n", path, lineno, why);
			vc->bad++;
			rc = VERIFYLOG_BAD;
			continue;
		}
		vc->lines++;
	}
	if (ferror(fp)) {
		fprintf(out, "%s: read error: %s\n", path, strerror(errno));
		rc = VERIFYLOG_UNREADABLE;
	}
	free(line);
	fclose(fp);
	return rc;
}
