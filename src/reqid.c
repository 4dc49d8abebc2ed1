/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/random.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "reqid.h"

static char	*hex(char *, uint64_t, int);
static void	 forget_pid(void);

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
		if (getrandom(&nonce, sizeof(nonce), 0) != sizeof(nonce)) {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			nonce = (uint32_t)(ts.tv_nsec ^ (ts.tv_sec << 20) ^ pid);
		}
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
