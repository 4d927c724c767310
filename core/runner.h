/*
 * runner.h - the job runner: claims due jobs from the durable queue
 * (sql/db.h, core/job.h), keeps their leases while they run, and records
 * how each ended.  Any number of runners may share one database, in any
 * processes: a claim is atomic, and a job whose runner died is taken over
 * when its lease runs out.
 *
 * acme-fcgi runs one from the standalone supervisor, one beside each
 * worker a web server spawns, and, in plain CGI, one that drains the
 * queue after a request left work in it (fcgi/main.c).
 */
#ifndef ACME_RUNNER_H
#define ACME_RUNNER_H

#include <signal.h>
#include <time.h>

#include "db.h"
#include "job.h"

struct config;
struct problem;

/* One claimed job while it runs. */
struct job_run {
	struct db		*db;
	const struct config	*cfg;
	struct db_job		 job;
	char			 owner[JOB_OWNER_LEN];
	time_t			 renewed;	/* when the lease was last extended */
	int			 lost;		/* another runner holds it now */
	volatile sig_atomic_t	*stop;		/* set: finish soon */
};

/* How a job's attempt ended. */
enum job_result {
	JOB_R_DONE,	/* finished; the job recorded that itself */
	JOB_R_RETRY,	/* a transient failure: again after a backoff */
	JOB_R_FAILED,	/* for good */
	JOB_R_STOPPED	/* interrupted (stop, lease lost): again at once */
};

/*
 * Extends r's lease when a third of it has passed.  Returns 1, or 0 when
 * the lease is lost or the runner is told to stop: the job should return
 * JOB_R_STOPPED at its next safe point.
 */
int	 job_keep(struct job_run *r);
/*
 * Sleeps seconds in steps of one, keeping the lease; returns early when
 * job_keep() fails.  Its signature is acme_clock's and solver_propagated's.
 */
void	 job_sleep(void *r, unsigned seconds);

/*
 * job_sleep(), then whether the job may go on (job_keep()'s answer
 * without another renewal): solver_propagated()'s sleep function.
 */
int	 job_wait(void *r, unsigned seconds);

/*
 * The time, as the polling of a job sees it: the real time, or far ahead
 * once job_keep() failed, so that every wait of the job ends at once.
 * Its signature is acme_clock's.
 */
time_t	 job_now(void *r);

/* Most job processes one runner keeps (job_processes). */
#define RUNNER_PROCS_MAX	64

/*
 * Runs due jobs until *stop is set; with drain, returns as soon as no job
 * is due and none runs.  Each job runs in a process of its own, at most
 * cfg->job_processes at once, so that a job waiting for DNS or an upstream
 * does not hold up the others: job_argv (absolute program first) is
 * executed afresh for each, and is to run runner_once() and exit.  Every
 * 10 seconds the runner also takes back the jobs of dead processes on this
 * host and fails the jobs whose deadline passed.  On a stop, the job
 * processes are stopped and waited for.  Returns the number of job
 * processes it started.
 */
unsigned runner_loop(struct db *db, const struct config *cfg,
	    char *const *job_argv, volatile sig_atomic_t *stop, int drain);
/* Runs at most one due job; 1 if it ran one, 0 if none was due, -1 on error. */
int	 runner_once(struct db *db, const struct config *cfg,
	    volatile sig_atomic_t *stop);

#endif
