/*
 * job.h - the policy of the durable job queue (sql/db.h stores it): who
 * holds a lease, for how long, and how long to wait before trying again.
 */
#ifndef ACME_JOB_H
#define ACME_JOB_H

#include <stddef.h>
#include <stdint.h>

/*
 * Seconds a claim lasts.  A runner renews well before it ends (every third
 * of it, between the steps of a job), so it must outlast the longest step:
 * a solver program may run 62 s.  If the runner dies, a runner on the same
 * host takes the job back at once (runner.h); one elsewhere after this long.
 */
#define JOB_LEASE_SECONDS	180
/* Backoff after the first failed attempt, and its cap (seconds). */
#define JOB_BACKOFF_BASE	15
#define JOB_BACKOFF_MAX		1800
/* Size of a job_owner() buffer: what the jobs table accepts. */
#define JOB_OWNER_LEN		129

/*
 * Seconds to wait after failed attempt number attempt (1 for the first):
 * d = min(JOB_BACKOFF_BASE * 2^(attempt-1), JOB_BACKOFF_MAX), less a random
 * jitter of up to d/4, so that the result lies in [d - d/4, d] and runners
 * that failed together do not retry together.
 */
unsigned	 job_backoff(unsigned attempt);
/* job_backoff() with the jitter drawn from rnd (0: none; UINT32_MAX: most). */
unsigned	 job_backoff_r(unsigned attempt, uint32_t rnd);
/*
 * The lease owner name of this process, "pid@hostname", into buf of len
 * bytes (JOB_OWNER_LEN; a long host name is cut).  Returns 1, or 0.
 */
int		 job_owner(char *buf, size_t len);

#endif
