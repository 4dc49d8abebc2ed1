/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/random.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "reqid.h"

static char	*hex(char *, uint64_t, int);
static void	 forget_pid(void);
static uint32_t	 draw_nonce(pid_t);

/*
 * The pid of the process whose ids these are; 0 until the first id and
 * again in a forked child (pthread_atfork), so that getpid(2) is not a
 * system call per request and a child never repeats its parent's ids.
 */
static pid_t	 owner;
static bool	 atfork_set;

static void
forget_pid(void)
{
	owner = 0;
}

void
reqid_new(char out[REQID_LEN])
{
	static uint32_t	 nonce;
	static uint32_t	 counter;
	struct timespec	 ts;
	uint64_t	 ms;
	pid_t		 pid;
	char		*p;

	if (!atfork_set)
		atfork_set = pthread_atfork(NULL, NULL, forget_pid) == 0;
	pid = atfork_set && owner != 0 ? owner : getpid();
	if (pid != owner) {
		nonce = draw_nonce(pid);
		owner = pid;
		counter = 0;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
	/* "%012llx-%06x-%08x-%06x", without snprintf's cost per request. */
	p = hex(out, ms, 12);
	*p++ = '-';
	p = hex(p, (uint64_t)pid & 0xffffff, 6);
	*p++ = '-';
	p = hex(p, nonce, 8);
	*p++ = '-';
	p = hex(p, ++counter & 0xffffff, 6);
	*p = '\0';
}

/*
 * The process's 32 random bits: what keeps the ids of two hosts apart
 * with no coordination (ekahook(8), "Logs": two processes share them
 * with a chance of one in 2^32).  From getrandom(2), waiting for the
 * kernel's pool at early boot and going on after a signal; where that
 * call is missing (old kernel, seccomp), from /dev/urandom; only when
 * both fail, from the clocks and the pid, unique on one machine but not
 * guaranteed across machines.
 */
static uint32_t
draw_nonce(pid_t pid)
{
	struct timespec	 mono, real;
	uint32_t	 v;
	ssize_t		 n;
	int		 fd;

	do
		n = getrandom(&v, sizeof(v), 0);
	while (n == -1 && errno == EINTR);
	if (n == (ssize_t)sizeof(v))
		return v;
	if ((fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)) != -1) {
		do
			n = read(fd, &v, sizeof(v));
		while (n == -1 && errno == EINTR);
		close(fd);
		if (n == (ssize_t)sizeof(v))
			return v;
	}
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	return (uint32_t)mono.tv_nsec ^ (uint32_t)(mono.tv_sec << 20) ^
	    (uint32_t)real.tv_nsec * 2654435761u ^ (uint32_t)pid;
}

/* Writes the low 4 * n bits of v as n lower-case hex digits. */
static char *
hex(char *p, uint64_t v, int n)
{
	static const char	 digits[] = "0123456789abcdef";
	int			 i;

	for (i = n - 1; i >= 0; i--, v >>= 4)
		p[i] = digits[v & 0xf];
	return p + n;
}
