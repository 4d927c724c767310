/*
 * h_finalize.c - finalize (RFC 8555 §7.4): the CSR is checked against the
 * order and the endpoint's issuing template, the signer process signs,
 * and the certificate is recorded in the transaction that makes the order
 * valid.  On an endpoint that orders from an upstream CA the CSR is
 * stored instead, the order turns processing and a job fills it there
 * (core/upstream.h).
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "b64url.h"
#include "ca.h"
#include "config.h"
#include "csr.h"
#include "fcgi.h"
#include "ident.h"
#include "json.h"
#include "log.h"
#include "order.h"
#include "policy.h"
#include "signer.h"
#include "upstream.h"

/* base64url of a CSR of CSR_MAX_BYTES bytes, and a little slack. */
#define CSR_B64_MAX	(CSR_MAX_BYTES / 3 * 4 + 8)

/*
 * The CSR of a finalize payload, checked against the order and the
 * template; its DER in *der (malloc'd, also on failure).
 */
static int
finalize_csr(struct ctx *c, const struct db_order *o, const struct db_policy *pol,
    struct csr *csr, struct identifier **ids, size_t *nids, uint8_t **der,
    size_t *len)
{
	struct json_object	*payload = NULL;
	const char		*b64;
	int			 ok = 0;

	if (!jws_payload_object(&c->auth.jws, (int)c->cfg->max_json_depth,
	    &payload, &c->prob))
		return 0;
	switch (json_get_string(payload, "csr", CSR_B64_MAX, &b64)) {
	case JGET_OK:
		break;
	case JGET_ABSENT:
		problem_set(&c->prob, PROB_MALFORMED, "\"csr\" is missing");
		goto out;
	default:
		problem_set(&c->prob, PROB_BAD_CSR,
		    "\"csr\" is not a string of at most %d bytes", CSR_B64_MAX);
		goto out;
	}
	if (!b64url_decode(b64, strlen(b64), der, len)) {
		problem_set(&c->prob, PROB_BAD_CSR, "\"csr\" is not base64url");
		goto out;
	}
	if ((*ids = order_ids_parse(o->identifiers, nids)) == NULL) {
		problem_set(&c->prob, PROB_SERVER_INTERNAL, "stored order unreadable");
		goto out;
	}
	ok = csr_parse(*der, *len, csr, &c->prob) &&
	    csr_check_names(csr, *ids, *nids, &c->prob) &&
	    csr_check_key(csr, pol->key_types, &c->prob) &&
	    csr_check_account_key(csr, c->auth.key.pub, &c->prob) &&
	    /* The template may have changed since the order was placed. */
	    policy_authorize(pol, *ids, *nids, &c->prob);
out:
	json_object_put(payload);
	return ok;
}

/*
 * Hands the order to an upstream CA: the CSR is stored with the order,
 * which turns processing, and a job is queued to place it upstream, all
 * in the request's transaction.  The job has upstream_timeout seconds.
 */
static int
proxy(struct ctx *c, struct db_order *o, const struct db_policy *pol,
    uint8_t *der, size_t len, const struct identifier *ids, size_t nids)
{
	struct db_upstream_order	uo;
	int64_t				jid;

	/* The account's managed challenges may have changed since newOrder. */
	if (!managed_authorize(c, ids, nids))
		return 0;
	memset(&uo, 0, sizeof(uo));
	uo.order_id = o->id;
	uo.upstream_id = pol->upstream_id;
	uo.csr = der;
	uo.csr_len = len;
	uo.created = c->now;
	if (db_upstream_order_add(c->db, &uo) != DB_OK ||
	    db_order_set_status(c->db, o->id, ORDER_READY, ORDER_PROCESSING,
	    NULL) != DB_OK ||
	    db_job_add(c->db, JOB_UPSTREAM_ORDER, o->id, UPSTREAM_ATTEMPTS_MAX,
	    c->now + (time_t)c->cfg->upstream_timeout, c->now, &jid) != DB_OK)
		return problem_set(&c->prob, PROB_SERVER_INTERNAL, "database error");
	o->status = ORDER_PROCESSING;
	c->srv->jobs_queued = 1;
	log_info("order %s: processing at the upstream CA (job %lld) for "
	    "account %s", o->uid, (long long)jid, c->auth.acct.uid);
	return 1;
}

/* Signs through the signer and records the certificate; the order turns valid. */
static int
issue(struct ctx *c, struct db_order *o, const struct db_policy *pol,
    const struct csr *csr, const struct identifier *ids, size_t nids)
{
	struct ca_name		 names[ORDER_IDENTIFIERS_MAX];
	struct ca_leaf		 leaf;
	struct db_cert		 cert;
	struct json_object	*jn = NULL;
	gnutls_datum_t		 der = { NULL, 0 }, pem = { NULL, 0 };
	time_t			 nb, na, now = time(NULL);
	char			 err[256];
	int			 ok = 0;

	memset(&leaf, 0, sizeof(leaf));
	memset(&cert, 0, sizeof(cert));
	/* Now, not when the request came: it may have waited for the lock. */
	if (!policy_validity(pol, now, (time_t)o->not_before,
	    (time_t)o->not_after, VALIDITY_ISSUE, &nb, &na, &c->prob))
		return 0;
	for (size_t i = 0; i < nids; i++) {
		names[i].type = ids[i].type == IDENT_IP ? CA_NAME_IP : CA_NAME_DNS;
		names[i].value = ids[i].value;
	}
	leaf.pub = csr->pub;
	leaf.names = names;
	leaf.nnames = nids;
	leaf.not_before = nb;
	leaf.not_after = na;
	leaf.eku = policy_eku(pol);
	if (!ca_serial_new(leaf.serial) || !ident_new(cert.uid)) {
		problem_set(&c->prob, PROB_SERVER_INTERNAL, "no randomness");
		goto out;
	}
	if (!signer_issue(c->srv->signer, pol->ca_id, &leaf, &der, err, sizeof(err))) {
		log_err("order %s: the signer refused: %s", o->uid, err);
		problem_set(&c->prob, PROB_SERVER_INTERNAL,
		    "the certificate could not be signed: %s", err);
		goto out;
	}
	if (!ca_leaf_received(&der, &leaf, &pem) ||
	    (jn = json_object_new_array_ext((int)nids)) == NULL) {
		problem_set(&c->prob, PROB_SERVER_INTERNAL,
		    "the signed certificate is not the one asked for");
		goto out;
	}
	for (size_t i = 0; i < nids; i++)
		json_object_array_add(jn, json_object_new_string(ids[i].value));
	ca_serial_hex(leaf.serial, cert.serial);
	cert.order_id = o->id;
	cert.account_id = c->auth.acct.id;
	cert.endpoint_id = c->ep.id;
	cert.application_id = pol->application_id;
	cert.template_id = pol->template_id;
	snprintf(cert.tag, sizeof(cert.tag), "%s", pol->tag);
	cert.ca_id = pol->ca_id;
	if ((cert.names = strdup(json_out_compact(jn))) == NULL) {
		problem_set(&c->prob, PROB_SERVER_INTERNAL, "out of memory");
		goto out;
	}
	snprintf(cert.key_type, sizeof(cert.key_type), "%s", key_type_name(csr->key_type));
	cert.not_before = nb;
	cert.not_after = na;
	cert.pem = (char *)pem.data;
	cert.created = now;
	/* Both in this transaction: a valid order always has its certificate. */
	if (db_cert_insert(c->db, &cert) != DB_OK ||
	    db_order_set_status(c->db, o->id, ORDER_READY, ORDER_VALID, NULL) != DB_OK) {
		problem_set(&c->prob, PROB_SERVER_INTERNAL, "database error");
		goto out;
	}
	o->status = ORDER_VALID;
	snprintf(o->cert_uid, sizeof(o->cert_uid), "%s", cert.uid);
	log_info("order %s: issued certificate %s for account %s", o->uid,
	    cert.serial, c->auth.acct.uid);
	ok = 1;
out:
	json_object_put(jn);
	free(cert.names);
	gnutls_free(der.data);
	gnutls_free(pem.data);
	return ok;
}

int
h_finalize(struct ctx *c)
{
	struct db_order		 o;
	struct db_authz		 z[ORDER_IDENTIFIERS_MAX];
	struct db_policy	 pol;
	struct csr		 csr;
	struct identifier	*ids = NULL;
	uint8_t			*der = NULL;
	size_t			 nz, nids = 0, len = 0;
	int			 ok = 0;

	memset(&csr, 0, sizeof(csr));
	memset(&pol, 0, sizeof(pol));
	if (!order_load(c, &o, z, &nz))
		return 0;
	/*
	 * The request's transaction holds the write lock (BEGIN IMMEDIATE):
	 * a second finalize of this order, in any process, waits for it and
	 * then sees the order valid and is refused.
	 */
	if (o.status != ORDER_READY) {
		problem_set(&c->prob, PROB_ORDER_NOT_READY,
		    "the order is %s, not ready", order_status_name(o.status));
		goto out;
	}
	if (!policy_load(c, &pol) ||
	    !finalize_csr(c, &o, &pol, &csr, &ids, &nids, &der, &len))
		goto out;
	if (pol.upstream_id != 0 ? !proxy(c, &o, &pol, der, len, ids, nids) :
	    !issue(c, &o, &pol, &csr, ids, nids))
		goto out;
	ok = order_answer(c, 200, &o, z, nz);
out:
	free(der);
	free(ids);
	csr_free(&csr);
	db_policy_free(&pol);
	db_order_free(&o);
	return ok;
}
