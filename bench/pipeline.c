/* SPDX-License-Identifier: MIT */
/*
 * The in-process pipeline of one accepted request, without the server
 * and the disk: verify the signature on the raw bytes, parse and
 * minify, validate, and format the log line — the real library
 * functions handler_serve calls, in its order, over one event file.
 * Run under callgrind it gives a noise-free instructions-per-request
 * figure (bench/run.sh takes the difference of two iteration counts,
 * so start-up cost drops out).
 *
 * The event's schema is the shipped one, looked up (a stat) per request.
 *
 * usage: pipeline FILE ITERATIONS [unsigned]
 * Prints the log line of the last iteration; exit 1 if any iteration
 * did not accept the event.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "catalog.h"
#include "json.h"
#include "reqid.h"
#include "reqline.h"
#include "schema.h"
#include "sig.h"
#include "timefmt.h"

#define PIPELINE_KEY	"bench-signing-key-0123456789abcdef"
#define PIPELINE_MAX	(1 << 20)

static int	pipeline_read(const char *, struct buf *);
static int	pipeline_once(const struct buf *, const char *,
		    struct buf *);
static enum catalog_result pipeline_lookup(void *, const char *,
		    const struct jschema **);

/* The shipped schemas, looked up per request as handler_serve does. */
static struct catalog	 schemas;

static enum catalog_result
pipeline_lookup(void *arg, const char *event, const struct jschema **s)
{
	(void)arg;
	return catalog_find(&schemas, event, s);
}

/* Reads the whole file into b: 0, or -1 with errno set. */
static int
pipeline_read(const char *path, struct buf *b)
{
	FILE	*f;
	size_t	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	if (!buf_grow(b, PIPELINE_MAX)) {
		fclose(f);
		errno = ENOMEM;
		return -1;
	}
	n = fread(b->data, 1, PIPELINE_MAX, f);
	b->len = n;
	fclose(f);
	return 0;
}

/*
 * One request's work, as handler_serve does it.  sigh is the
 * signature header or NULL when no key is configured.  Returns 0 when
 * the event was accepted and its line is in line, -1 otherwise.
 */
static int
pipeline_once(const struct buf *body, const char *sigh, struct buf *line)
{
	static char *const	 keys[] = { PIPELINE_KEY };
	struct json_doc		 doc;
	struct json_error	 jerr;
	struct schema_result	 sr;
	struct schema_opts	 so = { SCHEMA_STRICT, false, pipeline_lookup,
				    NULL };
	struct accept_rec	 rec;
	struct timespec		 now;
	char			 id[REQID_LEN], at[TIMEFMT_LEN];
	int			 rc = -1;

	memset(&doc, 0, sizeof(doc));
	memset(&sr, 0, sizeof(sr));
	reqid_new(id);
	clock_gettime(CLOCK_REALTIME, &now);
	timefmt_iso_ms(&now, at);
	if (sigh != NULL && sig_verify(sigh, body->data, body->len, keys, 1,
	    180, now.tv_sec) != SIG_OK)
		goto done;
	if (json_parse(body->data, body->len, &doc, &jerr) != JSON_OK)
		goto done;
	if (!schema_check(&doc, &so, &sr))
		goto done;
	memset(&rec, 0, sizeof(rec));
	rec.received_at = at;
	rec.request_id = id;
	rec.remote_addr = "127.0.0.1";
	rec.verified = sigh != NULL;
	rec.warnings = &sr.warnings;
	rec.event = doc.min;
	rec.event_len = doc.min_len;
	buf_reset(line);
	reqline_accept(line, &rec);
	if (buf_ok(line))
		rc = 0;
done:
	schema_result_free(&sr);
	json_doc_free(&doc);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct buf	 body, line;
	char		 sigh[SIG_VALUE_LEN];
	const char	*sigp = sigh;
	long		 i, n;
	char		*end;

	if (argc < 3 || argc > 4 ||
	    (argc == 4 && strcmp(argv[3], "unsigned") != 0)) {
		fprintf(stderr, "usage: pipeline FILE ITERATIONS [unsigned]\n");
		return 2;
	}
	errno = 0;
	n = strtol(argv[2], &end, 10);
	if (errno != 0 || *end != '\0' || n < 1) {
		fprintf(stderr, "pipeline: bad iteration count %s\n", argv[2]);
		return 2;
	}
	buf_init(&body);
	buf_init(&line);
	catalog_init(&schemas);
	if (catalog_configure(&schemas, NULL, PIPELINE_SCHEMAS) == -1)
		return 2;
	if (pipeline_read(argv[1], &body) == -1) {
		fprintf(stderr, "pipeline: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	if (argc == 4)
		sigp = NULL;
	else
		sig_format(PIPELINE_KEY, (long long)time(NULL), body.data,
		    body.len, sigh);
	for (i = 0; i < n; i++)
		if (pipeline_once(&body, sigp, &line) == -1) {
			fprintf(stderr, "pipeline: iteration %ld: event not "
			    "accepted\n", i);
			return 1;
		}
	fwrite(line.data, 1, line.len, stdout);
	buf_free(&body);
	buf_free(&line);
	catalog_free(&schemas);
	return 0;
}
