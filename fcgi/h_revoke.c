/*
 * h_revoke.c - revokeCert (RFC 8555 §7.6).
 *
 * The request names a certificate by its DER.  Its serial number finds the
 * candidates this endpoint issued (one per issuer); the one whose stored
 * DER equals the given DER byte for byte is the certificate: a serial
 * alone, or a certificate that merely parses, proves nothing.  It may be
 * revoked by the account that ordered it ("kid"; authorizations here are
 * those of one order, so no other account holds them) or by a JWS that its
 * own key signed ("jwk", §6.2).  The revocation is recorded in the
 * request's transaction.  A certificate from an upstream ACME CA is also
 * revoked there, by a job queued in the same transaction (upstream.h).
 *
 * An unknown certificate is malformed with 404, as Boulder answers ("No
 * such certificate", probs.NotFound); RFC 8555 names no type for it and
 * "unauthorized" would say it exists.  Who may revoke is judged before
 * whether it is revoked already, so that the answer tells a stranger
 * nothing about a certificate it cannot revoke.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "ca.h"
#include "config.h"
#include "fcgi.h"
#include "log.h"
#include "revoke.h"
#include "upstream.h"

/* Certificates that may share a serial on one endpoint: one per issuer. */
#define CANDIDATES_MAX	8

/*
 * The certificate of this endpoint whose DER is exactly r->der.  1 with
 * *out (free it), or 0 with c->prob set.
 */
static int
cert_find(struct ctx *c, const struct revoke_req *r, struct db_cert *out)
{
	struct db_cert	 v[CANDIDATES_MAX];
	gnutls_datum_t	 der;
	char		 serial[41];
	size_t		 n, i;
	int		 found = 0, bad = 0;

	if (!ca_der_serial(r->der, r->der_len, serial))
		return problem_set(&c->prob, PROB_MALFORMED,
		    "\"certificate\" is not a DER X.509 certificate");
	switch (db_certs_by_serial(c->db, c->ep.id, serial, v, CANDIDATES_MAX, &n)) {
	case DB_OK:
		break;
	case DB_NOTFOUND:
		n = 0;
		break;
	default:
		return problem_set(&c->prob, PROB_SERVER_INTERNAL, "database error");
	}
	for (i = 0; i < n; i++) {
		if (!found && !bad) {
			if (!ca_pem_to_der(v[i].pem, &der))
				bad = 1;
			else {
				found = der.size == r->der_len &&
				    memcmp(der.data, r->der, der.size) == 0;
				gnutls_free(der.data);
				if (found) {
					*out = v[i];
					continue;
				}
			}
		}
		db_cert_free(&v[i]);
	}
	if (bad)
		return problem_set(&c->prob, PROB_SERVER_INTERNAL,
		    "a stored certificate is unreadable");
	if (!found)
		return problem_set_status(&c->prob, PROB_MALFORMED, 404,
		    "no such certificate on this endpoint");
	return 1;
}

/* RFC 8555 §7.6: the account that ordered it, or its own key. */
static int
authorized(struct ctx *c, const struct db_cert *cert)
{
	if (c->auth.jws.kid != NULL) {
		if (c->auth.has_acct && cert->account_id == c->auth.acct.id)
			return 1;
		return problem_set(&c->prob, PROB_UNAUTHORIZED,
		    "this account did not order this certificate");
	}
	if (ca_cert_key_is(cert->pem, c->auth.key.pub))
		return 1;
	return problem_set(&c->prob, PROB_UNAUTHORIZED,
	    "the \"jwk\" that signed is not this certificate's key");
}

/*
 * Queues the job that revokes cert at the upstream CA that issued it, with
 * UPSTREAM_REVOKE_TIMEOUT seconds to get there.
 */
static int
forward(struct ctx *c, const struct db_cert *cert, time_t now)
{
	int64_t jid;

	if (db_job_add(c->db, JOB_UPSTREAM_REVOKE, cert->id, UPSTREAM_ATTEMPTS_MAX,
	    (int64_t)now + UPSTREAM_REVOKE_TIMEOUT, now, &jid) != DB_OK)
		return problem_set(&c->prob, PROB_SERVER_INTERNAL, "database error");
	c->srv->jobs_queued = 1;
	log_info("certificate %s: revocation to be forwarded upstream (job %lld)",
	    cert->serial, (long long)jid);
	return 1;
}

int
h_revoke_cert(struct ctx *c)
{
	struct json_object	*payload = NULL;
	struct revoke_req	 r;
	struct db_cert		 cert;
	const char		*why;
	time_t			 now;
	int			 ok = 0;

	memset(&r, 0, sizeof(r));
	memset(&cert, 0, sizeof(cert));
	if (!jws_payload_object(&c->auth.jws, (int)c->cfg->max_json_depth,
	    &payload, &c->prob) || !revoke_req_parse(payload, &r, &c->prob) ||
	    !cert_find(c, &r, &cert) || !authorized(c, &cert))
		goto out;
	if (cert.revoked) {
		problem_set(&c->prob, PROB_ALREADY_REVOKED,
		    "this certificate was revoked already");
		goto out;
	}
	/* Now, not when the request came: it may have waited for the lock. */
	now = time(NULL);
	switch (db_cert_revoke(c->db, cert.id, now, r.reason)) {
	case DB_OK:
		break;
	case DB_NOTFOUND:
		problem_set(&c->prob, PROB_ALREADY_REVOKED,
		    "this certificate was revoked already");
		goto out;
	default:
		problem_set(&c->prob, PROB_SERVER_INTERNAL, "database error");
		goto out;
	}
	if (cert.upstream_id != 0 && !forward(c, &cert, now))
		goto out;
	why = revoke_reason_name(r.reason);
	log_info("certificate %s: revoked (reason %s) by %s%s", cert.serial,
	    why != NULL ? why : "none given", c->auth.jws.kid != NULL ?
	    "account " : "its own key", c->auth.jws.kid != NULL ? c->auth.acct.uid : "");
	/* §7.6: 200, nothing to say. */
	c->resp->status = 200;
	ok = 1;
out:
	db_cert_free(&cert);
	revoke_req_free(&r);
	json_object_put(payload);
	return ok;
}
