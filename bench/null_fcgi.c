/* SPDX-License-Identifier: MIT */
/*
 * The ceiling of the benchmark: a FastCGI responder that does nothing
 * but what every receiver must do behind the same server — read the
 * whole body and answer 200 with a small JSON body.  No receiver can
 * be faster behind the same lighttpd.
 *
 * NULL_MODE (from lighttpd's "bin-environment") adds the floor of a
 * durable log, so that ekahook's logging can be judged against it:
 *   none       nothing more (the default)
 *   append     plus one write(2) of a log-sized line with O_APPEND
 *   fdatasync  plus an fdatasync(2) of that file after the write
 * NULL_LOG is the file for append and fdatasync.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#define NULL_BODY_MAX	(1 << 20)	/* bytes read per request at most */
#define NULL_LINE_LEN	978		/* an accepted line of the seed event */

enum null_mode {
	NULL_NONE,
	NULL_APPEND,
	NULL_FDATASYNC
};

struct null_mode_name {
	const char	*name;
	enum null_mode	 mode;
};

static const struct null_mode_name null_modes[] = {
	{ "none",	NULL_NONE },
	{ "append",	NULL_APPEND },
	{ "fdatasync",	NULL_FDATASYNC },
};

static const char null_answer[] =
    "Status: 200 OK\r\n"
    "Content-Type: application/json\r\n"
    "Content-Length: 12\r\n"
    "\r\n"
    "{\"ok\":true}\n";

static int	null_mode_parse(const char *, enum null_mode *);
static size_t	null_read_body(FCGX_Request *, char *, size_t);
static int	null_log(int, enum null_mode, const char *, size_t);

/* Returns 0, or -1 for an unknown mode name. */
static int
null_mode_parse(const char *s, enum null_mode *m)
{
	size_t	 i;

	if (s == NULL || *s == '\0') {
		*m = NULL_NONE;
		return 0;
	}
	for (i = 0; i < sizeof(null_modes) / sizeof(null_modes[0]); i++)
		if (strcmp(s, null_modes[i].name) == 0) {
			*m = null_modes[i].mode;
			return 0;
		}
	return -1;
}

/* Reads the body to its end (bytes past the buffer are read and dropped). */
static size_t
null_read_body(FCGX_Request *req, char *p, size_t cap)
{
	char	 sink[4096];
	size_t	 len = 0;
	int	 n;

	while (len < cap && (n = FCGX_GetStr(p + len, (int)(cap - len),
	    req->in)) > 0)
		len += (size_t)n;
	/* The rest, if any, must still be consumed like a receiver would. */
	while (FCGX_GetStr(sink, sizeof(sink), req->in) > 0)
		;
	return len;
}

/* The log a receiver keeps, at its least: 0, or -1 on a failed write. */
static int
null_log(int fd, enum null_mode m, const char *line, size_t len)
{
	ssize_t	 w;

	if (m == NULL_NONE)
		return 0;
	do
		w = write(fd, line, len);
	while (w == -1 && errno == EINTR);
	if (w != (ssize_t)len)
		return -1;
	if (m == NULL_FDATASYNC && fdatasync(fd) == -1)
		return -1;
	return 0;
}

int
main(void)
{
	FCGX_Request	 req;
	enum null_mode	 mode;
	const char	*path;
	char		*body, line[NULL_LINE_LEN];
	int		 fd = -1;

	if (null_mode_parse(getenv("NULL_MODE"), &mode) == -1) {
		fprintf(stderr, "null_fcgi: unknown NULL_MODE\n");
		return 1;
	}
	if (mode != NULL_NONE) {
		if ((path = getenv("NULL_LOG")) == NULL || *path == '\0') {
			fprintf(stderr, "null_fcgi: NULL_LOG is not set\n");
			return 1;
		}
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
		    0640);
		if (fd == -1) {
			fprintf(stderr, "null_fcgi: %s: %s\n", path,
			    strerror(errno));
			return 1;
		}
	}
	/* A line of the length ekahook writes for the seed event. */
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	if ((body = malloc(NULL_BODY_MAX)) == NULL)
		return 1;
	if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0) {
		fprintf(stderr, "null_fcgi: cannot set up FastCGI\n");
		return 1;
	}
	while (FCGX_Accept_r(&req) >= 0) {
		(void)null_read_body(&req, body, NULL_BODY_MAX);
		if (null_log(fd, mode, line, sizeof(line)) == -1)
			FCGX_PutS("Status: 503 Service Unavailable\r\n"
			    "Content-Length: 0\r\n\r\n", req.out);
		else
			FCGX_PutStr(null_answer, sizeof(null_answer) - 1,
			    req.out);
		FCGX_Finish_r(&req);
	}
	free(body);
	return 0;
}
