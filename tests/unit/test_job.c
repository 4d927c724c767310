/*
 * test_job.c - the durable job queue: its state machine in sql/db.c (add,
 * claim, lease expiry, renew, done, retry, fail, deadline) and its policy in
 * core/job.c (backoff, owner name).  Time is simulated: every call is given
 * its "now", so nothing sleeps.
 */
#include "autoconfig.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "db.h"
#include "fixture.h"
#include "job.h"
#include "testutil.h"

#define LEASE	60

static char		 dbpath[FIXTURE_PATH_MAX];
static struct db	*db;
static unsigned		 dbcount;

static int
job_setup(void **state)
{
	char err[256], name[32];

	(void)state;
	snprintf(name, sizeof(name), "job%u.db", dbcount++);
	if (!fixture_path(dbpath, sizeof(dbpath), fixture_dir, name) ||
	    (db = db_open(dbpath, 5000, 1, err, sizeof(err))) == NULL)
		return -1;
	return 0;
}

static int
job_teardown(void **state)
{
	(void)state;
	db_close(db);
	db = NULL;
	return 0;
}

/* Queues an upstream_order job for ref at now; returns its id. */
static int64_t
add(int64_t ref, int max_attempts, int64_t deadline, int64_t now)
{
	int64_t id = 0;

	assert_int_equal(db_job_add(db, JOB_UPSTREAM_ORDER, ref, max_attempts,
	    deadline, now, &id), DB_OK);
	assert_true(id > 0);
	return id;
}

/* Claims for owner at now; returns the job id, or 0 if nothing was due. */
static int64_t
claim(struct db *d, const char *owner, int64_t now)
{
	struct db_job	j;
	enum db_rc	rc;
	int64_t		id;

	rc = db_job_claim(d, owner, now, LEASE, &j);
	if (rc == DB_NOTFOUND)
		return 0;
	assert_int_equal(rc, DB_OK);
	assert_int_equal(j.state, JOB_RUNNING);
	assert_string_equal(j.lease_owner, owner);
	assert_int_equal(j.lease_until, now + LEASE);
	id = j.id;
	db_job_free(&j);
	return id;
}

static void
get(int64_t id, struct db_job *j)
{
	assert_int_equal(db_job_get(db, id, j), DB_OK);
}

static void
test_add_and_duplicate(void **state)
{
	struct db_job	j;
	int64_t		id, id2 = 0;

	(void)state;
	id = add(42, 3, 1000, 100);
	get(id, &j);
	assert_int_equal(j.kind, JOB_UPSTREAM_ORDER);
	assert_int_equal(j.ref_id, 42);
	assert_int_equal(j.state, JOB_QUEUED);
	assert_int_equal(j.attempts, 0);
	assert_int_equal(j.max_attempts, 3);
	assert_int_equal(j.next_run, 100);
	assert_int_equal(j.deadline, 1000);
	assert_string_equal(j.lease_owner, "");
	assert_int_equal(j.lease_until, 0);
	assert_null(j.last_error);
	assert_int_equal(j.created, 100);
	db_job_free(&j);
	assert_string_equal(job_kind_name(JOB_UPSTREAM_ORDER), "upstream_order");
	assert_string_equal(job_state_name(JOB_FAILED), "failed");

	/* The same work again: refused, the first row untouched. */
	assert_int_equal(db_job_add(db, JOB_UPSTREAM_ORDER, 42, 5, 2000, 200,
	    &id2), DB_CONFLICT);
	get(id, &j);
	assert_int_equal(j.max_attempts, 3);
	assert_int_equal(j.created, 100);
	db_job_free(&j);
	/* A job with no attempts is refused by the schema. */
	assert_int_equal(db_job_add(db, JOB_UPSTREAM_ORDER, 43, 0, 2000, 200,
	    &id2), DB_ERROR);
	assert_int_equal(db_job_get(db, id + 99, &j), DB_NOTFOUND);
}

static void
test_claim_order(void **state)
{
	struct db_job	j;
	int64_t		late, early, mid;

	(void)state;
	late = add(1, 3, 1000, 300);
	early = add(2, 3, 1000, 100);
	mid = add(3, 3, 1000, 200);
	assert_int_equal(claim(db, "1@a", 400), early);
	assert_int_equal(claim(db, "1@a", 400), mid);
	assert_int_equal(claim(db, "1@a", 400), late);
	assert_int_equal(claim(db, "1@a", 400), 0);
	get(early, &j);
	assert_int_equal(j.attempts, 1);
	assert_int_equal(j.updated, 400);
	db_job_free(&j);
}

static void
test_claim_nothing_due(void **state)
{
	struct db_job j;

	(void)state;
	assert_int_equal(db_job_claim(db, "1@a", 100, LEASE, &j), DB_NOTFOUND);
	add(1, 3, 1000, 100);
	/* Not yet due. */
	assert_int_equal(db_job_claim(db, "1@a", 99, LEASE, &j), DB_NOTFOUND);
	assert_int_not_equal(claim(db, "1@a", 100), 0);
	/* Running under a live lease (its end included). */
	assert_int_equal(db_job_claim(db, "2@b", 100 + LEASE, LEASE, &j),
	    DB_NOTFOUND);
}

/* A runner died: its lease expires and another process takes the job. */
static void
test_lease_expiry(void **state)
{
	struct db_job	j;
	int64_t		id;

	(void)state;
	id = add(1, 3, 10000, 100);
	assert_int_equal(claim(db, "1@a", 100), id);
	assert_int_equal(claim(db, "2@b", 159), 0);
	assert_int_equal(claim(db, "2@b", 161), id);
	get(id, &j);
	assert_string_equal(j.lease_owner, "2@b");
	assert_int_equal(j.attempts, 2);
	db_job_free(&j);
}

/* The first runner comes back after losing its lease: it changes nothing. */
static void
test_lost_lease_changes_nothing(void **state)
{
	struct db_job	before, after;
	int64_t		id;

	(void)state;
	id = add(1, 5, 10000, 100);
	assert_int_equal(claim(db, "1@a", 100), id);
	assert_int_equal(claim(db, "2@b", 200), id);
	get(id, &before);

	assert_int_equal(db_job_renew(db, id, "1@a", 210, LEASE), DB_NOTFOUND);
	assert_int_equal(db_job_done(db, id, "1@a", 210), DB_NOTFOUND);
	assert_int_equal(db_job_retry(db, id, "1@a", 300, "x", 210), DB_NOTFOUND);
	assert_int_equal(db_job_fail(db, id, "1@a", "x", 210), DB_NOTFOUND);

	get(id, &after);
	assert_int_equal(after.state, JOB_RUNNING);
	assert_string_equal(after.lease_owner, "2@b");
	assert_int_equal(after.lease_until, before.lease_until);
	assert_int_equal(after.attempts, before.attempts);
	assert_int_equal(after.next_run, before.next_run);
	assert_int_equal(after.updated, before.updated);
	assert_null(after.last_error);
	db_job_free(&before);
	db_job_free(&after);

	/* The holder can renew and finish; then nobody holds it. */
	assert_int_equal(db_job_renew(db, id, "2@b", 250, LEASE), DB_OK);
	get(id, &after);
	assert_int_equal(after.lease_until, 250 + LEASE);
	db_job_free(&after);
	assert_int_equal(db_job_done(db, id, "2@b", 260), DB_OK);
	get(id, &after);
	assert_int_equal(after.state, JOB_DONE);
	assert_string_equal(after.lease_owner, "");
	db_job_free(&after);
	assert_int_equal(db_job_done(db, id, "2@b", 270), DB_NOTFOUND);
	assert_int_equal(db_job_renew(db, id, "2@b", 270, LEASE), DB_NOTFOUND);
	/* A done job is never claimed again. */
	assert_int_equal(claim(db, "3@c", 100000), 0);
}

static void
test_retry_until_failed(void **state)
{
	struct db_job	j;
	int64_t		id, now = 100;

	(void)state;
	id = add(1, 3, 100000, now);
	for (int i = 1; i <= 3; i++) {
		assert_int_equal(claim(db, "1@a", now), id);
		/* Not due before its next_run. */
		assert_int_equal(db_job_retry(db, id, "1@a", now + 30,
		    "upstream unreachable", now + 1), DB_OK);
		get(id, &j);
		assert_int_equal(j.attempts, i);
		assert_int_equal(j.state, i < 3 ? JOB_QUEUED : JOB_FAILED);
		assert_string_equal(j.last_error, "upstream unreachable");
		assert_string_equal(j.lease_owner, "");
		db_job_free(&j);
		assert_int_equal(claim(db, "1@a", now + 29), 0);
		now += 30;
	}
	assert_int_equal(claim(db, "1@a", now + 1000), 0);
}

/* A retry that would run at or after the deadline fails the job now. */
static void
test_retry_past_deadline(void **state)
{
	struct db_job	j;
	int64_t		id;

	(void)state;
	id = add(1, 10, 500, 100);
	assert_int_equal(claim(db, "1@a", 100), id);
	assert_int_equal(db_job_retry(db, id, "1@a", 500, "slow", 110), DB_OK);
	get(id, &j);
	assert_int_equal(j.state, JOB_FAILED);
	assert_int_equal(j.attempts, 1);
	db_job_free(&j);
}

static void
test_fail_and_long_error(void **state)
{
	struct db_job	j;
	char		err[3000];
	int64_t		id;

	(void)state;
	id = add(1, 10, 10000, 100);
	assert_int_equal(claim(db, "1@a", 100), id);
	/* "é" across the cut: the stored text ends before it. */
	memset(err, 'x', sizeof(err));
	memcpy(err + DB_JOB_ERROR_MAX - 1, "\xc3\xa9", 2);
	err[sizeof(err) - 1] = '\0';
	assert_int_equal(db_job_fail(db, id, "1@a", err, 110), DB_OK);
	get(id, &j);
	assert_int_equal(j.state, JOB_FAILED);
	assert_int_equal(strlen(j.last_error), DB_JOB_ERROR_MAX - 1);
	assert_int_equal(j.updated, 110);
	db_job_free(&j);
	assert_int_equal(db_job_fail(db, id, "1@a", "again", 120), DB_NOTFOUND);
}

static void
test_deadline(void **state)
{
	struct db_job	j, out[8];
	int64_t		queued, running, later, done, last;

	(void)state;
	running = add(1, 3, 200, 100);
	queued = add(2, 3, 200, 150);
	later = add(3, 3, 1000, 160);
	done = add(4, 3, 200, 170);
	last = add(5, 1, 5000, 180);
	assert_int_equal(claim(db, "1@a", 180), running);
	assert_int_equal(claim(db, "1@a", 180), queued);
	assert_int_equal(db_job_retry(db, queued, "1@a", 190, "later", 180), DB_OK);
	assert_int_equal(claim(db, "1@a", 180), later);
	assert_int_equal(db_job_renew(db, later, "1@a", 180, 1000), DB_OK);
	assert_int_equal(claim(db, "1@a", 180), done);
	assert_int_equal(db_job_done(db, done, "1@a", 180), DB_OK);
	/* Its only attempt's runner dies. */
	assert_int_equal(claim(db, "1@a", 180), last);

	assert_int_equal(db_jobs_failed_deadline(db, 199, out, 8), 0);
	/* Past its deadline, a job is not claimed even if otherwise due. */
	assert_int_equal(claim(db, "2@b", 200), 0);
	/* At most max a call: the first, then the other, then none. */
	assert_int_equal(db_jobs_failed_deadline(db, 200, out, 1), 1);
	assert_int_equal(out[0].id, running);
	assert_int_equal(out[0].ref_id, 1);
	assert_int_equal(out[0].state, JOB_FAILED);
	assert_string_equal(out[0].last_error, "deadline passed");
	db_job_free(&out[0]);
	assert_int_equal(db_jobs_failed_deadline(db, 200, out, 8), 1);
	assert_int_equal(out[0].id, queued);
	assert_int_equal(out[0].ref_id, 2);
	db_job_free(&out[0]);
	assert_int_equal(db_jobs_failed_deadline(db, 200, out, 8), 0);
	get(running, &j);
	assert_int_equal(j.state, JOB_FAILED);
	assert_string_equal(j.last_error, "deadline passed");
	assert_string_equal(j.lease_owner, "");
	db_job_free(&j);
	get(queued, &j);
	assert_int_equal(j.state, JOB_FAILED);
	assert_string_equal(j.last_error, "deadline passed; last error: later");
	db_job_free(&j);
	get(done, &j);
	assert_int_equal(j.state, JOB_DONE);
	db_job_free(&j);
	get(later, &j);
	assert_int_equal(j.state, JOB_RUNNING);
	db_job_free(&j);

	/* The last attempt's lease expires: not claimed again, but failed. */
	assert_int_equal(claim(db, "2@b", 180 + LEASE + 1), 0);
	assert_int_equal(db_jobs_failed_deadline(db, 180 + LEASE + 1, out, 8), 1);
	assert_int_equal(out[0].id, last);
	db_job_free(&out[0]);
	get(last, &j);
	assert_int_equal(j.state, JOB_FAILED);
	assert_string_equal(j.last_error, "lease expired on the last attempt");
	db_job_free(&j);
	/* The dead runner of running cannot revive it. */
	assert_int_equal(db_job_done(db, running, "1@a", 300), DB_NOTFOUND);
}

#define NJOBS	40

/* Two connections to one file, as two processes would have, take turns. */
static void
test_two_connections(void **state)
{
	struct db	*db2;
	char		 err[256];
	int		 seen[NJOBS + 1] = { 0 };
	int64_t		 id;

	(void)state;
	assert_non_null(db2 = db_open(dbpath, 5000, 0, err, sizeof(err)));
	for (int i = 1; i <= NJOBS; i++)
		assert_int_equal(add(i, 3, 10000, 100), i);
	for (int i = 0; i < NJOBS; i++) {
		assert_true(db_begin(i % 2 ? db2 : db));
		id = claim(i % 2 ? db2 : db, i % 2 ? "2@b" : "1@a", 200);
		assert_true(db_commit(i % 2 ? db2 : db));
		assert_in_range(id, 1, NJOBS);
		assert_int_equal(seen[id]++, 0);
	}
	assert_int_equal(claim(db2, "2@b", 200), 0);
	assert_int_equal(claim(db, "1@a", 200), 0);
	db_close(db2);
}

/*
 * Claims in a child process until nothing is due; writes each job id
 * claimed to fd.  Exits 0, or 1 on any error.
 */
static void
claimer(int fd, const char *owner)
{
	struct db	*d;
	struct db_job	 j;
	char		 err[256];
	enum db_rc	 rc;
	int		 status = 1;

	if ((d = db_open(dbpath, 10000, 0, err, sizeof(err))) == NULL)
		_exit(1);
	for (;;) {
		/* No transaction: the claim is one statement, atomic alone. */
		rc = db_job_claim(d, owner, 200, LEASE, &j);
		if (rc == DB_NOTFOUND) {
			status = 0;
			break;
		}
		if (rc != DB_OK ||
		    write(fd, &j.id, sizeof(j.id)) != sizeof(j.id)) {
			db_job_free(&j);
			break;
		}
		db_job_free(&j);
	}
	db_close(d);
	_exit(status);
}

/* Two processes claim at the same time: every job goes to exactly one. */
static void
test_concurrent_claims(void **state)
{
	int		 fds[2], seen[NJOBS + 1] = { 0 }, n = 0, st;
	pid_t		 pid[2];
	int64_t		 id;

	(void)state;
	for (int i = 1; i <= NJOBS; i++)
		add(i, 3, 10000, 100);
	/* The children open their own connections. */
	db_close(db);
	db = NULL;
	assert_int_equal(pipe(fds), 0);
	for (int i = 0; i < 2; i++) {
		assert_true((pid[i] = fork()) >= 0);
		if (pid[i] == 0) {
			close(fds[0]);
			claimer(fds[1], i ? "2@b" : "1@a");
		}
	}
	close(fds[1]);
	while (read(fds[0], &id, sizeof(id)) == sizeof(id)) {
		assert_in_range(id, 1, NJOBS);
		assert_int_equal(seen[id]++, 0);
		n++;
	}
	close(fds[0]);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(waitpid(pid[i], &st, 0), pid[i]);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	assert_int_equal(n, NJOBS);
}

static void
test_backoff_bounds(void **state)
{
	unsigned d, prev = 0;

	(void)state;
	assert_int_equal(job_backoff_r(1, 0), JOB_BACKOFF_BASE);
	assert_int_equal(job_backoff_r(2, 0), 2 * JOB_BACKOFF_BASE);
	assert_int_equal(job_backoff_r(1, UINT32_MAX),
	    JOB_BACKOFF_BASE - JOB_BACKOFF_BASE / 4);
	/* attempt 0 is treated as the first. */
	assert_int_equal(job_backoff_r(0, 0), JOB_BACKOFF_BASE);
	for (unsigned a = 1; a < 200; a++) {
		d = job_backoff_r(a, 0);
		assert_true(d >= prev && d <= JOB_BACKOFF_MAX);
		assert_true(job_backoff_r(a, UINT32_MAX) >= d - d / 4);
		prev = d;
	}
	assert_int_equal(job_backoff_r(UINT32_MAX, 0), JOB_BACKOFF_MAX);
	assert_int_equal(job_backoff_r(100, UINT32_MAX),
	    JOB_BACKOFF_MAX - JOB_BACKOFF_MAX / 4);
	for (int i = 0; i < 100; i++) {
		d = job_backoff(3);
		assert_in_range(d, 4 * JOB_BACKOFF_BASE - JOB_BACKOFF_BASE,
		    4 * JOB_BACKOFF_BASE);
	}
}

static void
test_owner(void **state)
{
	char	buf[JOB_OWNER_LEN], want[32], small[3];
	int64_t	id;

	(void)state;
	assert_true(job_owner(buf, sizeof(buf)));
	snprintf(want, sizeof(want), "%ld@", (long)getpid());
	assert_true(strncmp(buf, want, strlen(want)) == 0);
	assert_true(strlen(buf) > strlen(want));
	/* A short buffer gets a cut, terminated name. */
	assert_true(job_owner(small, sizeof(small)));
	assert_int_equal(strlen(small), sizeof(small) - 1);
	/* What it makes, the jobs table accepts. */
	id = add(1, 3, 1000, 100);
	assert_int_equal(claim(db, buf, 100), id);
}

/*
 * An upstream_revoke job (its ref_id a certificate's) is another job than
 * an upstream_order one with the same ref_id; each is queued once.
 */
static void
test_kind_upstream_revoke(void **state)
{
	struct db_job	j;
	int64_t		order, revoke = 0, dup = 0;

	(void)state;
	order = add(42, 3, 1000, 100);
	assert_int_equal(db_job_add(db, JOB_UPSTREAM_REVOKE, 42, 1000, 86500, 100,
	    &revoke), DB_OK);
	assert_true(revoke > 0 && revoke != order);
	get(revoke, &j);
	assert_int_equal(j.kind, JOB_UPSTREAM_REVOKE);
	assert_int_equal(j.ref_id, 42);
	assert_int_equal(j.max_attempts, 1000);
	assert_int_equal(j.deadline, 86500);
	db_job_free(&j);
	assert_string_equal(job_kind_name(JOB_UPSTREAM_REVOKE), "upstream_revoke");
	assert_int_equal(db_job_add(db, JOB_UPSTREAM_REVOKE, 42, 5, 2000, 200,
	    &dup), DB_CONFLICT);
	/* Claimed like any other, in next_run order. */
	assert_int_equal(claim(db, "1@host", 100), order);
	assert_int_equal(claim(db, "1@host", 100), revoke);
}

#define JOBTEST(f)	cmocka_unit_test_setup_teardown(f, job_setup, job_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		JOBTEST(test_add_and_duplicate),
		JOBTEST(test_claim_order),
		JOBTEST(test_claim_nothing_due),
		JOBTEST(test_lease_expiry),
		JOBTEST(test_lost_lease_changes_nothing),
		JOBTEST(test_retry_until_failed),
		JOBTEST(test_retry_past_deadline),
		JOBTEST(test_fail_and_long_error),
		JOBTEST(test_deadline),
		JOBTEST(test_two_connections),
		JOBTEST(test_concurrent_claims),
		JOBTEST(test_backoff_bounds),
		JOBTEST(test_owner),
		JOBTEST(test_kind_upstream_revoke),
	};

	return cmocka_run_group_tests(tests, fixture_group_setup,
	    fixture_group_teardown);
}
