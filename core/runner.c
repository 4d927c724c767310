/*
 * runner.c - the job runner (runner.h).
 */
#include "autoconfig.h"

#include <sys/prctl.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "problem.h"
#include "runner.h"
#include "upstream.h"

/* Jobs failed by one deadline sweep transaction. */
#define SWEEP_BATCH	32
/* Seconds between sweeps, and between looks at an empty queue. */
#define SWEEP_EVERY	10
#define IDLE_WAIT	1

int
job_keep(struct job_run *r)
{
	time_t now = time(NULL);

	if (r->lost || (r->stop != NULL && *r->stop))
		return 0;
	if (now - r->renewed < JOB_LEASE_SECONDS / 3)
		return 1;
	if (!db_begin(r->db))
		return 1;	/* busy: try again at the next step */
	switch (db_job_renew(r->db, r->job.id, r->owner, now, JOB_LEASE_SECONDS)) {
	case DB_OK:
		if (db_commit(r->db))
			r->renewed = now;
		return 1;
	case DB_NOTFOUND:
		db_rollback(r->db);
		log_warn("job %lld: the lease went to another runner",
		    (long long)r->job.id);
		r->lost = 1;
		return 0;
	default:
		db_rollback(r->db);
		return 1;
	}
}

int
job_wait(void *arg, unsigned seconds)
{
	struct job_run *r = arg;

	job_sleep(r, seconds);
	return !r->lost && (r->stop == NULL || !*r->stop);
}

time_t
job_now(void *arg)
{
	struct job_run *r = arg;

	if (r->lost || (r->stop != NULL && *r->stop))
		return time(NULL) + 365 * 86400;
	return time(NULL);
}

void
job_sleep(void *arg, unsigned seconds)
{
	struct job_run *r = arg;

	while (seconds-- > 0 && job_keep(r))
		sleep(1);
}

/* Ends the work of a job that failed for good, in the caller's transaction. */
static int
job_failed(struct db *db, const struct db_job *j, const struct problem *p)
{
	switch (j->kind) {
	case JOB_UPSTREAM_ORDER:
		return upstream_job_failed(db, j->ref_id, p);
	case JOB_UPSTREAM_REVOKE:
		/*
		 * The certificate stays revoked here, but not at the CA that
		 * relying parties ask: whether the job gave up or its deadline
		 * passed, an administrator must hear of it.
		 */
		log_err("certificate %lld: the revocation was not forwarded to its "
		    "upstream CA: %s", (long long)j->ref_id, p->detail);
		return 1;
	default:
		return 1;
	}
}

/*
 * Fails the jobs whose deadline passed, or whose runner died on their last
 * attempt, with what they worked on.
 */
static void
sweep(struct db *db)
{
	struct db_job	 j[SWEEP_BATCH];
	struct problem	 p = { 0 };
	int		 n, ok;

	do {
		if (!db_begin(db))
			return;
		if ((n = db_jobs_failed_deadline(db, time(NULL), j, SWEEP_BATCH)) < 0) {
			db_rollback(db);
			return;
		}
		ok = 1;
		for (int i = 0; i < n; i++) {
			problem_set(&p, PROB_SERVER_INTERNAL, "gave up: %s",
			    j[i].last_error != NULL ? j[i].last_error : "deadline passed");
			if (ok && !job_failed(db, &j[i], &p))
				ok = 0;
			log_warn("job %lld (%s %lld): failed: %s", (long long)j[i].id,
			    job_kind_name(j[i].kind), (long long)j[i].ref_id,
			    j[i].last_error != NULL ? j[i].last_error : "");
		}
		for (int i = 0; i < n; i++)
			db_job_free(&j[i]);
		if (!ok || !db_commit(db)) {
			db_rollback(db);
			return;
		}
	} while (n == SWEEP_BATCH);
	problem_clear(&p);
}

/*
 * Gives back the jobs held by processes of this host that no longer exist
 * (a runner killed, or acme-fcgi restarted), so that they go on at once
 * rather than when their leases run out.  A pid reused since by another
 * process only leaves its job to the lease.
 */
static void
reclaim(struct db *db)
{
	struct db_job	 j[SWEEP_BATCH];
	char		 me[JOB_OWNER_LEN], *end;
	const char	*host;
	long		 pid;
	int		 n;

	if (!job_owner(me, sizeof(me)) || (host = strchr(me, '@')) == NULL)
		return;
	if (!db_begin(db))
		return;
	if ((n = db_jobs_running_on(db, host + 1, j, SWEEP_BATCH)) < 0) {
		db_rollback(db);
		return;
	}
	for (int i = 0; i < n; i++) {
		errno = 0;
		pid = strtol(j[i].lease_owner, &end, 10);
		if (errno == 0 && *end == '@' && pid > 0 && pid != (long)getpid() &&
		    kill((pid_t)pid, 0) < 0 && errno == ESRCH &&
		    db_job_release(db, j[i].id, j[i].lease_owner, time(NULL)) == DB_OK)
			log_info("job %lld: its runner %ld is gone; taken back",
			    (long long)j[i].id, pid);
		db_job_free(&j[i]);
	}
	if (!db_commit(db))
		db_rollback(db);
}

/* Records how r's attempt ended (JOB_R_DONE was recorded by the job). */
static void
record(struct job_run *r, enum job_result res, const struct problem *p)
{
	struct db_job	*j = &r->job;
	struct problem	 last = { 0 };
	time_t		 now = time(NULL), next;
	char		 err[DB_JOB_ERROR_MAX];
	enum db_rc	 rc;

	if (res == JOB_R_DONE || r->lost)
		return;
	next = now;
	if (res == JOB_R_RETRY)
		next = now + job_backoff((unsigned)j->attempts);
	/*
	 * A retry or an interruption that could not run again before the
	 * deadline, or after the last attempt, is a failure: db_job_retry()
	 * would fail the job itself, and leave what it worked on (an order
	 * processing) as it is.
	 */
	if (res != JOB_R_FAILED && (next >= j->deadline ||
	    j->attempts >= j->max_attempts)) {
		if (res == JOB_R_STOPPED) {
			problem_set(&last, PROB_SERVER_INTERNAL,
			    "interrupted on its last attempt");
			p = &last;
		}
		res = JOB_R_FAILED;
	}
	snprintf(err, sizeof(err), "%s%s%s", problem_type_name(p->type) != NULL ?
	    problem_type_name(p->type) : "", p->type != PROB_NONE ? ": " : "",
	    p->detail);
	if (!db_begin(r->db))
		return;		/* the lease runs out; the job is retried */
	if (res == JOB_R_FAILED) {
		rc = db_job_fail(r->db, j->id, r->owner, err, now);
		if (rc == DB_OK && !job_failed(r->db, j, p))
			rc = DB_ERROR;
	} else
		rc = db_job_retry(r->db, j->id, r->owner, next,
		    res == JOB_R_STOPPED ? "interrupted" : err, now);
	if (rc != DB_OK || !db_commit(r->db)) {
		db_rollback(r->db);
		return;
	}
	if (res == JOB_R_FAILED)
		log_warn("job %lld (%s %lld): failed: %s", (long long)j->id,
		    job_kind_name(j->kind), (long long)j->ref_id, err);
	else if (res == JOB_R_RETRY)
		log_info("job %lld (%s %lld): attempt %d failed (%s); again in %lld s",
		    (long long)j->id, job_kind_name(j->kind), (long long)j->ref_id,
		    j->attempts, err, (long long)(next - now));
}

int
runner_once(struct db *db, const struct config *cfg, volatile sig_atomic_t *stop)
{
	struct job_run	 r;
	struct problem	 p = { 0 };
	enum job_result	 res;

	memset(&r, 0, sizeof(r));
	r.db = db;
	r.cfg = cfg;
	r.stop = stop;
	if (!job_owner(r.owner, sizeof(r.owner)) || !db_begin(db))
		return -1;
	switch (db_job_claim(db, r.owner, time(NULL), JOB_LEASE_SECONDS, &r.job)) {
	case DB_OK:
		break;
	case DB_NOTFOUND:
		db_rollback(db);
		return 0;
	default:
		db_rollback(db);
		return -1;
	}
	if (!db_commit(db)) {
		db_rollback(db);
		db_job_free(&r.job);
		return -1;
	}
	r.renewed = time(NULL);
	log_debug("job %lld (%s %lld): attempt %d", (long long)r.job.id,
	    job_kind_name(r.job.kind), (long long)r.job.ref_id, r.job.attempts);
	switch (r.job.kind) {
	case JOB_UPSTREAM_ORDER:
		res = upstream_job(&r, &p);
		break;
	case JOB_UPSTREAM_REVOKE:
		res = upstream_revoke_job(&r, &p);
		break;
	default:
		problem_set(&p, PROB_SERVER_INTERNAL, "no such kind of job");
		res = JOB_R_FAILED;
	}
	record(&r, res, &p);
	problem_clear(&p);
	db_job_free(&r.job);
	return 1;
}

/*
 * Starts one job process: argv run afresh (execv(2)), so that it shares
 * none of this process's SQLite state; it stops with the runner.
 */
static pid_t
job_process(char *const *argv)
{
	pid_t	parent = getpid(), pid;

	if ((pid = fork()) != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(0);
	execv(argv[0], argv);
	log_err("runner: %s: %s", argv[0], strerror(errno));
	_exit(1);
}

/* Reaps the job processes that ended; returns how many still run. */
static unsigned
reap(pid_t *kids, unsigned n)
{
	int status;

	for (unsigned i = 0; i < n; )
		if (waitpid(kids[i], &status, WNOHANG) == kids[i]) {
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				log_warn("runner: job process %ld ended (%s %d)",
				    (long)kids[i], WIFSIGNALED(status) ? "signal" :
				    "exit", WIFSIGNALED(status) ? WTERMSIG(status) :
				    WEXITSTATUS(status));
			kids[i] = kids[--n];
		} else
			i++;
	return n;
}

unsigned
runner_loop(struct db *db, const struct config *cfg, char *const *job_argv,
    volatile sig_atomic_t *stop, int drain)
{
	pid_t		 kids[RUNNER_PROCS_MAX], pid;
	unsigned	 n = 0, ran = 0, max = cfg->job_processes;
	time_t		 swept = 0;
	int		 due;

	if (max < 1 || max > RUNNER_PROCS_MAX)
		max = 1;
	while (!*stop) {
		n = reap(kids, n);
		if (time(NULL) - swept >= SWEEP_EVERY) {
			reclaim(db);
			sweep(db);
			swept = time(NULL);
		}
		due = n < max && db_job_due(db, time(NULL)) == DB_OK;
		if (due) {
			if ((pid = job_process(job_argv)) > 0) {
				kids[n++] = pid;
				ran++;
			} else
				log_err("runner: fork: %s", strerror(errno));
		} else if (drain && n == 0)
			break;
		/* A second for a new process to claim its job. */
		sleep(IDLE_WAIT);
	}
	/* Told to stop: so are the job processes; each ends at a safe point. */
	for (unsigned i = 0; i < n; i++)
		kill(kids[i], SIGTERM);
	while (n > 0) {
		n = reap(kids, n);
		if (n > 0)
			usleep(100000);
	}
	return ran;
}
