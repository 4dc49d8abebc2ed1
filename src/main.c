/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "handler.h"
#include "listen.h"
#include "runner.h"

static const char	*fcgi_param(void *, const char *);
static ssize_t		 fcgi_read(void *, char *, size_t);
static int		 fcgi_write(void *, const char *, size_t);
static const char	*cgi_param(void *, const char *);
static ssize_t		 cgi_read(void *, char *, size_t);
static int		 cgi_write(void *, const char *, size_t);
static int		 serve_cgi(void);
static int		 serve_fcgi(int);

static const char *
fcgi_param(void *ctx, const char *name)
{
	return FCGX_GetParam(name, ((FCGX_Request *)ctx)->envp);
}

static ssize_t
fcgi_read(void *ctx, char *p, size_t n)
{
	return FCGX_GetStr(p, (int)n, ((FCGX_Request *)ctx)->in);
}

static int
fcgi_write(void *ctx, const char *p, size_t n)
{
	return FCGX_PutStr(p, (int)n, ((FCGX_Request *)ctx)->out) ==
	    (int)n ? 0 : -1;
}

static const char *
cgi_param(void *ctx, const char *name)
{
	(void)ctx;
	return getenv(name);
}

static ssize_t
cgi_read(void *ctx, char *p, size_t n)
{
	ssize_t	 r;

	(void)ctx;
	do
		r = read(STDIN_FILENO, p, n);
	while (r == -1 && errno == EINTR);
	return r;
}

static int
cgi_write(void *ctx, const char *p, size_t n)
{
	ssize_t	 w;

	(void)ctx;
	while (n > 0) {
		if ((w = write(STDOUT_FILENO, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Plain CGI: one request, then the hook work once the answer is out. */
static int
serve_cgi(void)
{
	struct handler	 h;
	struct req_io	 io = { cgi_param, cgi_read, cgi_write, NULL };

	handler_init(&h);
	handler_serve(&h, &io);
	/* The server sees the end of the answer when stdout closes. */
	close(STDOUT_FILENO);
	runner_kick(h.conf, h.hook_due);
	handler_after(&h);
	handler_free(&h);
	return 0;
}

static int
serve_fcgi(int sock)
{
	FCGX_Request	 req;
	struct handler	 h;
	struct req_io	 io = { fcgi_param, fcgi_read, fcgi_write, &req };

	if (FCGX_InitRequest(&req, sock, 0) != 0) {
		fprintf(stderr, "ekahook: cannot set up FastCGI\n");
		return 1;
	}
	handler_init(&h);
	h.warn_open = true;
	/*
	 * ekahook(8) "The hook queue": hooks left pending or running when
	 * the machine died run once ekahook is up again; a server that
	 * starts its FastCGI processes at its own start (lighttpd,
	 * spawn-fcgi) need not wait for a request.  A configuration given
	 * only per request (.htaccess) has its work resumed by its first
	 * request instead.
	 */
	runner_kick(handler_startup_conf(&h), false);
	while (FCGX_Accept_r(&req) >= 0) {
		handler_serve(&h, &io);
		/* The answer reaches the server before any hook work. */
		FCGX_Finish_r(&req);
		runner_kick(h.conf, h.hook_due);
		handler_after(&h);
	}
	handler_free(&h);
	return 0;
}

int
main(void)
{
	const char	*spec;
	char		 err[256];
	int		 sock = 0;

	/* argv is never read: a CGI server may pass query words there. */
	signal(SIGPIPE, SIG_IGN);
	if (FCGX_Init() != 0) {
		fprintf(stderr, "ekahook: cannot initialise libfcgi\n");
		return 1;
	}
	if ((spec = getenv("EKAHOOK_LISTEN")) != NULL && *spec != '\0') {
		if ((sock = listen_open(spec, err, sizeof(err))) == -1) {
			fprintf(stderr, "ekahook: cannot listen: %s\n", err);
			return 1;
		}
		return serve_fcgi(sock);
	}
	if (FCGX_IsCGI())
		return serve_cgi();
	return serve_fcgi(0);
}
