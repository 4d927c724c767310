#include "autoconfig.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/crypto.h>

#include "job.h"

unsigned
job_backoff_r(unsigned attempt, uint32_t rnd)
{
	unsigned d = JOB_BACKOFF_BASE;

	/* Doubling stops at the cap, so no shift can overflow. */
	while (attempt-- > 1 && d < JOB_BACKOFF_MAX)
		d *= 2;
	if (d > JOB_BACKOFF_MAX)
		d = JOB_BACKOFF_MAX;
	return d - (unsigned)(((uint64_t)(d / 4) * rnd) / UINT32_MAX);
}

unsigned
job_backoff(unsigned attempt)
{
	uint32_t rnd = 0;

	/* Without randomness the wait is merely not spread: still correct. */
	if (gnutls_rnd(GNUTLS_RND_NONCE, &rnd, sizeof(rnd)) < 0)
		rnd = 0;
	return job_backoff_r(attempt, rnd);
}

int
job_owner(char *buf, size_t len)
{
	char	host[256];
	int	n;

	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	/* A cut host name still names this process's lease uniquely enough. */
	n = snprintf(buf, len, "%ld@%s", (long)getpid(), host);
	if (n < 0 || len == 0)
		return 0;
	return 1;
}
