/*
 * upstream.h - managed ACME (seed 004): orders on an endpoint whose
 * template names an upstream ACME CA are filled there.  acme-fcgi places
 * the order upstream with an account of its own, answers each upstream
 * challenge itself with a managed challenge (core/solver.h), finalizes
 * with the client's CSR and hands the client the upstream's chain.
 *
 * newOrder authorises each identifier twice: by the template
 * (core/policy.h) and here, by a managed challenge that the account's EAB
 * key may use and that can answer for it.  Finalize stores the CSR and
 * queues a job (JOB_UPSTREAM_ORDER); upstream_job() runs it.
 *
 * A certificate from an upstream that is revoked here (fcgi/h_revoke.c) is
 * revoked there too, by a job (JOB_UPSTREAM_REVOKE) that
 * upstream_revoke_job() runs.
 */
#ifndef ACME_UPSTREAM_H
#define ACME_UPSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "identifier.h"
#include "runner.h"

struct acme_client;
struct problem;

/*
 * Attempts of one upstream job at most: its deadline (upstream_timeout)
 * is what bounds it; this only stops a job that keeps dying.
 */
#define UPSTREAM_ATTEMPTS_MAX	1000
/* Seconds a revocation has to reach the upstream, retries included. */
#define UPSTREAM_REVOKE_TIMEOUT	(24 * 3600)

/*
 * The managed challenge of mcs that answers for id: the first whose rules
 * match it (by name), of type dns-01 for a wildcard; NULL if none.  IP
 * addresses are never proxied.
 */
const struct db_mchall *upstream_mchall_for(const struct db_mchall *mcs,
	    size_t n, const struct identifier *id);
/*
 * Every identifier must have one.  Returns 1, or 0 with p a
 * rejectedIdentifier with one subproblem per refused identifier.
 */
int	 upstream_authorize(const struct db_mchall *mcs, size_t n,
	    const struct identifier *ids, size_t nids, struct problem *p);

/*
 * One attempt at the upstream order of order r->job.ref_id, resumed from
 * what was recorded (account, upstream order URL).  On JOB_R_DONE the
 * certificate is stored, the order valid and the job done, in one
 * transaction.  On JOB_R_RETRY and JOB_R_FAILED, p says why; the runner
 * records it (upstream_job_failed() for good).
 */
enum job_result upstream_job(struct job_run *r, struct problem *p);
/*
 * Ends the order of a failed job: processing -> invalid with an error
 * naming the upstream's problem.  Runs inside the caller's transaction.
 */
int	 upstream_job_failed(struct db *db, int64_t order_id, const struct problem *p);

/*
 * One attempt at revoking certificate r->job.ref_id, revoked here, at the
 * upstream CA that issued it: revokeCert signed by acme-fcgi's account
 * there (the one that ordered it), with the reason recorded here, or none
 * if the upstream refuses it (upstream_revoke_send()).  Done
 * when the upstream answers 200 or alreadyRevoked: the job is marked done.
 * A transient failure is JOB_R_RETRY; a refusal is JOB_R_FAILED, logged as
 * an error with the upstream's words (the revocation here stands).
 */
enum job_result upstream_revoke_job(struct job_run *r, struct problem *p);
/*
 * Its revokeCert: acme_client_revoke() with reason; a reason the upstream
 * refuses (badRevocationReason: Boulder takes 0, 1, 3, 4, 5 and 9 only,
 * some CAs none) is dropped and the request sent once more without one,
 * so that the certificate is revoked there all the same.  1, or 0 with p
 * the upstream's last problem.
 */
int	 upstream_revoke_send(struct acme_client *c, const uint8_t *der,
	    size_t len, int reason, struct problem *p);

#endif
