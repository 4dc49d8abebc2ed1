/* SPDX-License-Identifier: MIT */
/*
 * loadgen: POSTs N bodies to a URL over C concurrent HTTP/1.1 keep-alive
 * connections and records every answer, for the stress tests.
 *
 *   loadgen -u http://127.0.0.1:PORT/path -n N -c C -o OUT
 *           [-t SECONDS] [-r RETRIES] [-s FIRST] [-q RATE] BODY...
 *
 * Request number i (FIRST, FIRST+1, ...) sends BODY number i % nbodies
 * with every "@SEQ@" replaced by i and every "@PAD@" by a run of 'x'
 * whose length varies with i (so lines of many sizes meet the rotation
 * limit).  Each attempt adds one line to OUT:
 *
 *   <i> <attempt> <status> <request_id or -> <Retry-After or ->
 *
 * status 0 means no answer (connection refused or reset, timeout).
 * With -r R, an attempt answered 0 or 5xx is retried up to R times,
 * with the same body, as a webhook sender would: after 20 ms, then
 * twice as long each time up to 1 s (never past the deadline; a
 * Retry-After is not waited for, the tests have no minute to spare).
 * With -q RATE, request FIRST + k starts no earlier than k / RATE
 * seconds after the run began (a steady offered load that lasts a
 * known time, whatever the server's speed).  Nothing starts after
 * the deadline (-t, default 60 s) and no socket waits past it.
 * Exit: 0 every request answered, 1 the deadline came first, 2 setup.
 * Only plain http:// to a numeric IPv4 address: the tests use loopback.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define LG_MAX_CONC	256
#define LG_MAX_BODIES	32
#define LG_MAX_BODY	(1024 * 1024)
#define LG_HDR_MAX	16384	/* an answer's head larger than this is bad */
#define LG_IO_TIMEOUT	10	/* seconds one read or write may block */
#define LG_PAD_SPAN	1531	/* @PAD@ lengths: 0 .. LG_PAD_SPAN - 1 */
#define LG_ID_MAX	128
#define LG_BACKOFF_MS	20	/* first pause before a retry */
#define LG_BACKOFF_MAX	1000	/* longest pause */

/* One body file, split at its placeholders. */
struct lg_body {
	char		*text;
	size_t		 len;
};

/* An answer as far as the tests care. */
struct lg_answer {
	int		 status;	/* 0: none */
	char		 request_id[LG_ID_MAX];
	char		 retry_after[32];
};

/* One connection's read side. */
struct lg_conn {
	int		 fd;
	char		 buf[LG_HDR_MAX];
	size_t		 have;		/* bytes in buf */
	size_t		 off;		/* first unread byte */
};

static struct {
	struct sockaddr_in	 addr;
	char			 host[64];
	char			*path;
	long			 total;
	long			 first;
	int			 retries;
	time_t			 deadline;
	double			 rate;	/* requests started per second; 0: no limit */
	struct timespec		 start;	/* CLOCK_MONOTONIC at the start */
	struct lg_body		 bodies[LG_MAX_BODIES];
	int			 nbodies;
	FILE			*out;
	pthread_mutex_t		 lock;	/* next, out, counts */
	long			 next;
	long			 answered;
	long			 by_class[6];	/* 0 (none), 1xx .. 5xx */
} lg = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void	 lg_die(const char *, ...)
		    __attribute__((format(printf, 1, 2), noreturn));
static int	 lg_parse_url(const char *);
static int	 lg_load_body(const char *, struct lg_body *);
static char	*lg_render(const struct lg_body *, long, size_t *);
static int	 lg_connect(struct lg_conn *);
static void	 lg_close(struct lg_conn *);
static int	 lg_send(int, const char *, size_t);
static int	 lg_fill(struct lg_conn *);
static int	 lg_getline(struct lg_conn *, char *, size_t);
static int	 lg_read_n(struct lg_conn *, char *, size_t, size_t *, size_t);
static int	 lg_read_chunked(struct lg_conn *, char *, size_t, size_t *);
static int	 lg_exchange(struct lg_conn *, const char *, size_t,
		    struct lg_answer *, bool *, bool *);
static void	 lg_find_id(const char *, size_t, char *);
static void	 lg_record(long, int, const struct lg_answer *);
static bool	 lg_retryable(int);
static void	 lg_backoff(int);
static void	 lg_pace(long);
static void	*lg_worker(void *);

static void
lg_die(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	fputs("loadgen: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

/* http://A.B.C.D:PORT/path -> lg.addr, lg.host, lg.path. */
static int
lg_parse_url(const char *url)
{
	const char	*p, *colon, *slash;
	char		 ip[32], *end;
	long		 port = 80;
	size_t		 n;

	if (strncmp(url, "http://", 7) != 0)
		return -1;
	p = url + 7;
	slash = strchr(p, '/');
	if (slash == NULL)
		slash = p + strlen(p);
	n = (size_t)(slash - p);
	if (n == 0 || n >= sizeof(lg.host))
		return -1;
	memcpy(lg.host, p, n);
	lg.host[n] = '\0';
	colon = memchr(p, ':', n);
	if (colon != NULL) {
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (errno != 0 || end != slash || port < 1 || port > 65535)
			return -1;
		n = (size_t)(colon - p);
	}
	if (n >= sizeof(ip))
		return -1;
	memcpy(ip, p, n);
	ip[n] = '\0';
	memset(&lg.addr, 0, sizeof(lg.addr));
	lg.addr.sin_family = AF_INET;
	lg.addr.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, ip, &lg.addr.sin_addr) != 1)
		return -1;
	if ((lg.path = strdup(*slash != '\0' ? slash : "/")) == NULL)
		return -1;
	return 0;
}

static int
lg_load_body(const char *file, struct lg_body *b)
{
	FILE	*fp;
	size_t	 n;

	if ((fp = fopen(file, "rb")) == NULL)
		return -1;
	if ((b->text = malloc(LG_MAX_BODY + 1)) == NULL) {
		fclose(fp);
		return -1;
	}
	n = fread(b->text, 1, LG_MAX_BODY + 1, fp);
	if (ferror(fp) || n > LG_MAX_BODY) {
		fclose(fp);
		errno = EFBIG;
		return -1;
	}
	fclose(fp);
	b->text[n] = '\0';
	b->len = n;
	return 0;
}

/* The body of request i, placeholders filled in; NULL on no memory. */
static char *
lg_render(const struct lg_body *b, long i, size_t *len)
{
	char		 seq[32];
	size_t		 pad = (size_t)((i * 7919) % LG_PAD_SPAN), cap, o = 0;
	size_t		 seqlen, k = 0;
	char		*out;

	seqlen = (size_t)snprintf(seq, sizeof(seq), "%ld", i);
	/* Each placeholder is 5 bytes; neither expands past this bound. */
	cap = b->len / 5 * (seqlen > pad ? seqlen : pad) + b->len + 1;
	if ((out = malloc(cap)) == NULL)
		return NULL;
	while (k < b->len) {
		if (b->len - k >= 5 && memcmp(b->text + k, "@SEQ@", 5) == 0) {
			memcpy(out + o, seq, seqlen);
			o += seqlen;
			k += 5;
		} else if (b->len - k >= 5 &&
		    memcmp(b->text + k, "@PAD@", 5) == 0) {
			memset(out + o, 'x', pad);
			o += pad;
			k += 5;
		} else
			out[o++] = b->text[k++];
	}
	out[o] = '\0';
	*len = o;
	return out;
}

static int
lg_connect(struct lg_conn *c)
{
	struct timeval	 tv = { .tv_sec = LG_IO_TIMEOUT };
	time_t		 left = lg.deadline - time(NULL);
	int		 one = 1;

	if (left <= 0)
		return -1;
	if (left < tv.tv_sec)
		tv.tv_sec = left;
	c->have = c->off = 0;
	if ((c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	(void)setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&lg.addr, sizeof(lg.addr)) ==
	    -1) {
		lg_close(c);
		return -1;
	}
	return 0;
}

static void
lg_close(struct lg_conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	c->have = c->off = 0;
}

static int
lg_send(int fd, const char *p, size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		if ((w = send(fd, p, n, MSG_NOSIGNAL)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Reads more into the buffer; -1 on error, end of stream or timeout. */
static int
lg_fill(struct lg_conn *c)
{
	ssize_t	 r;

	if (c->off > 0) {
		memmove(c->buf, c->buf + c->off, c->have - c->off);
		c->have -= c->off;
		c->off = 0;
	}
	if (c->have == sizeof(c->buf))
		return -1;	/* a header line longer than the buffer */
	do
		r = recv(c->fd, c->buf + c->have, sizeof(c->buf) - c->have, 0);
	while (r == -1 && errno == EINTR);
	if (r <= 0)
		return -1;
	c->have += (size_t)r;
	return 0;
}

/* One CRLF-terminated line without its CRLF; -1 on error. */
static int
lg_getline(struct lg_conn *c, char *line, size_t cap)
{
	char	*nl;
	size_t	 n;

	while ((nl = memchr(c->buf + c->off, '\n', c->have - c->off)) ==
	    NULL)
		if (lg_fill(c) == -1)
			return -1;
	n = (size_t)(nl - (c->buf + c->off));
	if (n > 0 && nl[-1] == '\r')
		n--;
	if (n >= cap)
		return -1;
	memcpy(line, c->buf + c->off, n);
	line[n] = '\0';
	c->off = (size_t)(nl - c->buf) + 1;
	return 0;
}

/* Appends want bytes of body to out (keeping at most cap). */
static int
lg_read_n(struct lg_conn *c, char *out, size_t cap, size_t *len,
    size_t want)
{
	size_t	 n;

	while (want > 0) {
		if (c->off == c->have && lg_fill(c) == -1)
			return -1;
		n = c->have - c->off;
		if (n > want)
			n = want;
		if (*len + n < cap) {
			memcpy(out + *len, c->buf + c->off, n);
			*len += n;
		}
		c->off += n;
		want -= n;
	}
	return 0;
}

static int
lg_read_chunked(struct lg_conn *c, char *out, size_t cap, size_t *len)
{
	char		 line[256], *end;
	unsigned long	 n;

	for (;;) {
		if (lg_getline(c, line, sizeof(line)) == -1)
			return -1;
		errno = 0;
		n = strtoul(line, &end, 16);
		if (errno != 0 || end == line || n > LG_MAX_BODY)
			return -1;
		if (n == 0)
			break;
		if (lg_read_n(c, out, cap, len, n) == -1 ||
		    lg_getline(c, line, sizeof(line)) == -1)
			return -1;
	}
	/* Trailers, up to the empty line. */
	do
		if (lg_getline(c, line, sizeof(line)) == -1)
			return -1;
	while (line[0] != '\0');
	return 0;
}

/* The "request_id" of a JSON answer, or "-". */
static void
lg_find_id(const char *body, size_t len, char *id)
{
	static const char	 key[] = "\"request_id\":\"";
	const char		*p, *q, *end = body + len;
	size_t			 n;

	strcpy(id, "-");
	p = memmem(body, len, key, sizeof(key) - 1);
	if (p == NULL)
		return;
	p += sizeof(key) - 1;
	if ((q = memchr(p, '"', (size_t)(end - p))) == NULL)
		return;
	n = (size_t)(q - p);
	if (n == 0 || n >= LG_ID_MAX)
		return;
	memcpy(id, p, n);
	id[n] = '\0';
}

/*
 * Sends one request and reads its answer on c, connecting first if
 * needed.  Returns 0 with *a filled in, or -1 when no answer came
 * (the connection is closed then).  *reuse says whether the server
 * keeps the connection; *stale, that a kept-alive connection ended
 * before any byte of the answer.
 */
static int
lg_exchange(struct lg_conn *c, const char *body, size_t blen,
    struct lg_answer *a, bool *reuse, bool *stale)
{
	char		 head[512], line[1024], rbody[8192], *v;
	size_t		 rlen = 0;
	long long	 clen = -1;
	bool		 chunked = false, kept = c->fd != -1;
	int		 n;

	*reuse = true;
	*stale = false;
	memset(a, 0, sizeof(*a));
	strcpy(a->request_id, "-");
	strcpy(a->retry_after, "-");
	if (c->fd == -1 && lg_connect(c) == -1)
		return -1;
	n = snprintf(head, sizeof(head),
	    "POST %s HTTP/1.1\r\nHost: %s\r\n"
	    "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
	    lg.path, lg.host, blen);
	if (n < 0 || (size_t)n >= sizeof(head))
		goto fail;
	if (lg_send(c->fd, head, (size_t)n) == -1 ||
	    lg_send(c->fd, body, blen) == -1) {
		*stale = kept;
		goto fail;
	}
	if (lg_getline(c, line, sizeof(line)) == -1) {
		*stale = kept && c->have == 0;
		goto fail;
	}
	if (sscanf(line, "HTTP/1.%*d %d", &a->status) != 1)
		goto fail;
	for (;;) {
		if (lg_getline(c, line, sizeof(line)) == -1)
			goto fail;
		if (line[0] == '\0')
			break;
		if ((v = strchr(line, ':')) == NULL)
			continue;
		*v++ = '\0';
		v += strspn(v, " \t");
		if (strcasecmp(line, "Content-Length") == 0)
			clen = strtoll(v, NULL, 10);
		else if (strcasecmp(line, "Transfer-Encoding") == 0)
			chunked = strcasestr(v, "chunked") != NULL;
		else if (strcasecmp(line, "Connection") == 0)
			*reuse = strcasecmp(v, "close") != 0;
		else if (strcasecmp(line, "Retry-After") == 0)
			snprintf(a->retry_after, sizeof(a->retry_after), "%s",
			    v[0] != '\0' && strcspn(v, " \t") == strlen(v) ?
			    v : "?");
	}
	if (chunked) {
		if (lg_read_chunked(c, rbody, sizeof(rbody), &rlen) == -1)
			goto fail;
	} else if (clen >= 0) {
		if (clen > LG_MAX_BODY ||
		    lg_read_n(c, rbody, sizeof(rbody), &rlen, (size_t)clen) ==
		    -1)
			goto fail;
	} else {
		/* No length: the body runs to the end of the connection. */
		while (lg_read_n(c, rbody, sizeof(rbody), &rlen, 1) == 0)
			;
		*reuse = false;
	}
	lg_find_id(rbody, rlen, a->request_id);
	if (!*reuse)
		lg_close(c);
	return 0;
fail:
	lg_close(c);
	a->status = 0;
	*reuse = false;
	return -1;
}

static bool
lg_retryable(int status)
{
	return status == 0 || status >= 500;
}

/* The pause before attempt number attempt (2, 3, ...). */
static void
lg_backoff(int attempt)
{
	struct timespec	 ts;
	long		 ms = LG_BACKOFF_MS;
	time_t		 left = lg.deadline - time(NULL);

	while (--attempt > 1 && ms < LG_BACKOFF_MAX)
		ms *= 2;
	if (ms > LG_BACKOFF_MAX)
		ms = LG_BACKOFF_MAX;
	if (left <= 0)
		return;
	if (ms > left * 1000)
		ms = left * 1000;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = ms % 1000 * 1000000;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* With -q: waits until request i is due (never past the deadline). */
static void
lg_pace(long i)
{
	struct timespec	 now, ts;
	double		 due, left;

	if (lg.rate <= 0)
		return;
	due = (double)(i - lg.first) / lg.rate;
	clock_gettime(CLOCK_MONOTONIC, &now);
	left = due - ((double)(now.tv_sec - lg.start.tv_sec) +
	    (double)(now.tv_nsec - lg.start.tv_nsec) / 1e9);
	if (left <= 0)
		return;
	if (left > (double)(lg.deadline - time(NULL)))
		left = (double)(lg.deadline - time(NULL));
	if (left <= 0)
		return;
	ts.tv_sec = (time_t)left;
	ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void
lg_record(long i, int attempt, const struct lg_answer *a)
{
	int	 cls = a->status / 100;

	pthread_mutex_lock(&lg.lock);
	fprintf(lg.out, "%ld %d %d %s %s\n", i, attempt, a->status,
	    a->request_id, a->retry_after);
	lg.by_class[cls >= 1 && cls <= 5 ? cls : 0]++;
	pthread_mutex_unlock(&lg.lock);
}

static void *
lg_worker(void *arg)
{
	struct lg_conn	 c = { .fd = -1 };
	struct lg_answer a;
	char		*body;
	size_t		 blen;
	long		 i;
	int		 attempt;
	bool		 reuse, stale, done;

	(void)arg;
	for (;;) {
		pthread_mutex_lock(&lg.lock);
		i = lg.next < lg.first + lg.total ? lg.next++ : -1;
		pthread_mutex_unlock(&lg.lock);
		if (i == -1)
			break;
		lg_pace(i);
		if (time(NULL) >= lg.deadline)
			break;
		body = lg_render(&lg.bodies[i % lg.nbodies], i, &blen);
		if (body == NULL)
			lg_die("out of memory");
		done = false;
		for (attempt = 1; !done && time(NULL) < lg.deadline;
		    attempt++) {
			if (attempt > 1)
				lg_backoff(attempt);
			/*
			 * A kept-alive connection that the server closed while
			 * idle ends before any byte of an answer: every HTTP
			 * client sends again on a new one, and so do we.
			 */
			if (lg_exchange(&c, body, blen, &a, &reuse, &stale) ==
			    -1 && stale)
				(void)lg_exchange(&c, body, blen, &a, &reuse,
				    &stale);
			lg_record(i, attempt, &a);
			done = !lg_retryable(a.status) ||
			    attempt > lg.retries;
		}
		if (done) {
			pthread_mutex_lock(&lg.lock);
			lg.answered++;
			pthread_mutex_unlock(&lg.lock);
		}
		free(body);
	}
	lg_close(&c);
	return NULL;
}

int
main(int argc, char **argv)
{
	pthread_t	 th[LG_MAX_CONC];
	const char	*url = NULL, *outfile = NULL;
	long		 conc = 1, secs = 60;
	int		 ch, i;

	lg.first = 1;
	while ((ch = getopt(argc, argv, "c:n:o:q:r:s:t:u:")) != -1) {
		switch (ch) {
		case 'c':
			conc = strtol(optarg, NULL, 10);
			break;
		case 'n':
			lg.total = strtol(optarg, NULL, 10);
			break;
		case 'o':
			outfile = optarg;
			break;
		case 'q':
			lg.rate = strtod(optarg, NULL);
			break;
		case 'r':
			lg.retries = (int)strtol(optarg, NULL, 10);
			break;
		case 's':
			lg.first = strtol(optarg, NULL, 10);
			break;
		case 't':
			secs = strtol(optarg, NULL, 10);
			break;
		case 'u':
			url = optarg;
			break;
		default:
			lg_die("usage: loadgen -u URL -n N -c C -o OUT "
			    "[-t SECONDS] [-r RETRIES] [-s FIRST] [-q RATE] "
			    "BODY...");
		}
	}
	argc -= optind;
	argv += optind;
	if (url == NULL || lg_parse_url(url) == -1)
		lg_die("need -u http://A.B.C.D:PORT/path");
	if (outfile == NULL || lg.total < 1 || conc < 1 ||
	    conc > LG_MAX_CONC || secs < 1 || lg.retries < 0 ||
	    lg.first < 0 || lg.rate < 0 || argc < 1 || argc > LG_MAX_BODIES)
		lg_die("bad arguments (see the comment at the top)");
	for (i = 0; i < argc; i++)
		if (lg_load_body(argv[i], &lg.bodies[i]) == -1)
			lg_die("%s: %s", argv[i], strerror(errno));
	lg.nbodies = argc;
	if ((lg.out = fopen(outfile, "w")) == NULL)
		lg_die("%s: %s", outfile, strerror(errno));
	lg.next = lg.first;
	lg.deadline = time(NULL) + secs;
	clock_gettime(CLOCK_MONOTONIC, &lg.start);
	for (i = 0; i < conc; i++)
		if (pthread_create(&th[i], NULL, lg_worker, NULL) != 0)
			lg_die("cannot start thread %d", i);
	for (i = 0; i < conc; i++)
		pthread_join(th[i], NULL);
	if (fclose(lg.out) != 0)
		lg_die("%s: %s", outfile, strerror(errno));
	fprintf(stderr, "loadgen: %ld of %ld answered; attempts: none %ld, "
	    "2xx %ld, 3xx %ld, 4xx %ld, 5xx %ld\n", lg.answered, lg.total,
	    lg.by_class[0], lg.by_class[2], lg.by_class[3], lg.by_class[4],
	    lg.by_class[5]);
	for (i = 0; i < lg.nbodies; i++)
		free(lg.bodies[i].text);
	free(lg.path);
	return lg.answered == lg.total ? 0 : 1;
}
