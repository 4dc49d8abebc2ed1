/* SPDX-License-Identifier: MIT */
#include "config.h"

#include <sys/random.h>

#include <stdint.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "reqid.h"

void
reqid_new(char out[REQID_LEN])
{
	static pid_t	 owner;
	static uint32_t	 nonce;
	static uint32_t	 counter;
	struct timespec	 ts;
	uint64_t	 ms;
	pid_t		 pid = getpid();

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
	snprintf(out, REQID_LEN, "%012llx-%06x-%08x-%06x",
	    (unsigned long long)ms, (unsigned)pid & 0xffffff, nonce,
	    ++counter & 0xffffff);
}
