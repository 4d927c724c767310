/*
 * h_renewal_info.c - renewal information (RFC 9773 §4): an unauthenticated
 * GET of {renewalInfo}/{certID} for a certificate of this endpoint.
 *
 * For a certificate of our CAs the window is ours (ari_window()).  For one
 * from an upstream ACME CA it is the upstream's, relayed as it wrote it and
 * kept for as long as its Retry-After says; when the upstream cannot be
 * asked, ours, kept for ARI_RETRY_FALLBACK so that requests do not each
 * wait for an upstream that is down.  The upstream is asked outside any
 * transaction; its answer is stored in a short one of its own.
 */
#include "autoconfig.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acme_client.h"
#include "ari.h"
#include "ca.h"
#include "fcgi.h"
#include "json.h"
#include "log.h"

/* Certificates that may share a serial on one endpoint: one per issuer. */
#define CANDIDATES_MAX		8
/* An upstream is asked while a client waits: briefly. */
#define UPSTREAM_TIMEOUT	5
#define UPSTREAM_CONNECT_TIMEOUT 3

static int
unknown(struct ctx *c)
{
	return problem_set_status(&c->prob, PROB_MALFORMED, 404,
	    "no such certificate");
}

/*
 * The certificate of this endpoint that id names: its serial finds the
 * candidates, its issuer's key identifier picks one.  1 with *out (free
 * it), or 0 with c->prob set.
 */
static int
cert_find(struct ctx *c, const struct ari_certid *id, struct db_cert *out)
{
	struct db_cert		v[CANDIDATES_MAX];
	struct ari_certid	have;
	char			serial[ARI_SERIAL_HEX_MAX + 1];
	size_t			n, i;
	int			found = 0;

	ari_serial_hex(id, serial);
	switch (db_certs_by_serial(c->db, c->ep.id, serial, v, CANDIDATES_MAX, &n)) {
	case DB_OK:
		break;
	case DB_NOTFOUND:
		return unknown(c);
	default:
		return problem_set(&c->prob, PROB_SERVER_INTERNAL, "database error");
	}
	for (i = 0; i < n; i++) {
		if (!found && ca_ari_certid(v[i].pem, &have) &&
		    ari_certid_equal(id, &have)) {
			*out = v[i];
			found = 1;
			continue;
		}
		db_cert_free(&v[i]);
	}
	return found ? 1 : unknown(c);
}

/* The kept answer for cert while it is fresh: 1 with *ri and *left, else 0. */
static int
cached(struct ctx *c, const struct db_cert *cert, struct ari_info *ri,
    int *left)
{
	struct json_object	*o = NULL;
	const char		*err;
	char			*json, why[128];
	int64_t			 until;
	int			 ok = 0;

	if (db_cert_renewal_info(c->db, cert->id, &json, &until) != DB_OK)
		return 0;
	if (until > c->now && (o = json_parse(json, strlen(json), 4, &err)) != NULL &&
	    ari_info_parse(o, ri, why, sizeof(why))) {
		*left = until - c->now > ARI_RETRY_MAX ? ARI_RETRY_MAX :
		    (int)(until - c->now);
		ok = 1;
	}
	json_object_put(o);
	free(json);
	return ok;
}

/*
 * Keeps ri for cert for seconds, in a short transaction of its own.  Not
 * kept, it only costs another fetch.
 */
static void
keep(struct ctx *c, const struct db_cert *cert, const struct ari_info *ri,
    int seconds)
{
	struct json_object *o;

	if ((o = ari_info_json(ri)) == NULL)
		return;
	if (!db_begin(c->db))
		log_warn("renewal-info: certificate %s: not kept: database busy",
		    cert->uid);
	else if (db_cert_set_renewal_info(c->db, cert->id, json_out_compact(o),
	    (int64_t)c->now + seconds) != DB_OK || !db_commit(c->db)) {
		db_rollback(c->db);
		log_warn("renewal-info: certificate %s: not kept", cert->uid);
	}
	json_object_put(o);
}

/*
 * Asks the upstream of cert about it and keeps the answer.  Never fails:
 * when the upstream cannot answer, *ri is our own window for cert.
 */
static void
fetch(struct ctx *c, const struct db_cert *cert, struct ari_info *ri,
    int *retry_after)
{
	struct acme_client_opts	 o;
	struct acme_client	*ac = NULL;
	struct db_upstream	 up;
	struct problem		 p = { 0 };
	int			 ra = -1, ok = 0;

	memset(&up, 0, sizeof(up));
	if (db_upstream_get(c->db, cert->upstream_id, &up) != DB_OK)
		problem_set(&p, PROB_SERVER_INTERNAL, "upstream %lld unreadable",
		    (long long)cert->upstream_id);
	else {
		/* GET only: no account key (acme_client.h). */
		memset(&o, 0, sizeof(o));
		o.directory_url = up.directory;
		o.ca_bundle = up.ca_bundle;
		o.timeout = UPSTREAM_TIMEOUT;
		o.connect_timeout = UPSTREAM_CONNECT_TIMEOUT;
		ok = (ac = acme_client_new(&o, &p)) != NULL &&
		    acme_client_renewal_info(ac, c->route.id, ri, &ra, &p);
	}
	if (ok)
		*retry_after = ari_retry_clamp(ra);
	else {
		log_warn("renewal-info: certificate %s: upstream %s: %s: %s; "
		    "answering with our own window", cert->uid,
		    up.name[0] != '\0' ? up.name : "?",
		    problem_type_name(p.type) != NULL ? problem_type_name(p.type) : "?",
		    p.detail);
		ari_window(cert->not_before, cert->not_after, 0, c->now, ri);
		*retry_after = ARI_RETRY_FALLBACK;
	}
	keep(c, cert, ri, *retry_after);
	acme_client_free(ac);
	db_upstream_free(&up);
	problem_clear(&p);
}

int
h_renewal_info(struct ctx *c)
{
	struct ari_certid	 id;
	struct db_cert		 cert;
	struct ari_info		 ri;
	struct json_object	*o;
	int			 retry_after;

	if (!ari_certid_parse(c->route.id, &id))
		return problem_set(&c->prob, PROB_MALFORMED,
		    "not a certificate identifier: base64url(AKI keyIdentifier) "
		    "\".\" base64url(serial number) (RFC 9773 §4.1)");
	if (!cert_find(c, &id, &cert))
		return 0;
	/*
	 * An upstream is asked only about a certificate that is still worth
	 * renewing; a revoked or expired one gets our window, in the past.
	 */
	if (cert.upstream_id == 0 || cert.revoked || c->now > cert.not_after) {
		ari_window(cert.not_before, cert.not_after, cert.revoked, c->now, &ri);
		retry_after = ARI_RETRY_AFTER;
	} else if (!cached(c, &cert, &ri, &retry_after))
		fetch(c, &cert, &ri, &retry_after);
	db_cert_free(&cert);
	if ((o = ari_info_json(&ri)) == NULL)
		return problem_set(&c->prob, PROB_SERVER_INTERNAL, "out of memory");
	/* §4.3: when to ask again. */
	resp_header(c->resp, "Retry-After", "%d", retry_after);
	resp_json(c->resp, 200, o);
	return 1;
}
