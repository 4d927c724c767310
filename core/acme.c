#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>

#include "acme.h"
#include "config.h"
#include "ident.h"
#include "json.h"
#include "log.h"
#include "problem.h"

/* Consumed nonces are pruned at most this often, per process. */
#define NONCE_PRUNE_INTERVAL	60

int
acme_server_init(struct acme_server *srv, const struct config *cfg, struct db *db)
{
	uint8_t key[NONCE_KEY_LEN];

	memset(srv, 0, sizeof(*srv));
	srv->cfg = cfg;
	srv->db = db;
	srv->nonce.lifetime = cfg->nonce_lifetime;
	switch (db_secret_get(db, "nonce_key", srv->nonce.key, NONCE_KEY_LEN)) {
	case DB_OK:
		return 1;
	case DB_NOTFOUND:
		break;
	default:
		return 0;
	}
	/* First start on this database: make the key; a racing process may win. */
	if (gnutls_rnd(GNUTLS_RND_KEY, key, sizeof(key)) < 0) {
		log_err("acme_server_init: gnutls_rnd failed");
		return 0;
	}
	if (db_secret_init(db, "nonce_key", key, sizeof(key)) != DB_OK)
		return 0;
	memcpy(srv->nonce.key, key, sizeof(key));
	gnutls_memset(key, 0, sizeof(key));
	return 1;
}

int
acme_nonce(struct acme_server *srv, char *out)
{
	return nonce_make(&srv->nonce, time(NULL), out);
}

void
acme_time(time_t t, char *out, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The account uid in a kid of this endpoint ("{ep_url}/acct/{uid}"), or NULL. */
static const char *
kid_uid(const char *ep_url, const char *kid)
{
	size_t n = strlen(ep_url);

	if (strncmp(kid, ep_url, n) != 0 || strncmp(kid + n, "/acct/", 6) != 0)
		return NULL;
	kid += n + 6;
	return ident_valid(kid) ? kid : NULL;
}

static int
auth_key(struct acme_server *srv, const struct db_endpoint *ep,
    const char *ep_url, enum auth_mode mode, struct acme_auth *a,
    struct problem *p)
{
	const char	*uid;
	enum db_rc	 rc;

	if (a->jws.jwk != NULL && a->jws.kid != NULL)
		return problem_set(p, PROB_MALFORMED,
		    "JWS has both \"jwk\" and \"kid\"; exactly one is allowed (RFC 8555 §6.2)");
	if (a->jws.jwk == NULL && a->jws.kid == NULL)
		return problem_set(p, PROB_MALFORMED,
		    "JWS has neither \"jwk\" nor \"kid\" (RFC 8555 §6.2)");
	if (mode == AUTH_JWK && a->jws.jwk == NULL)
		return problem_set(p, PROB_MALFORMED,
		    "this request must be signed with a \"jwk\", not a \"kid\"");
	if (mode == AUTH_KID && a->jws.kid == NULL)
		return problem_set(p, PROB_MALFORMED,
		    "this request must be signed by an account (\"kid\"), not a \"jwk\"");

	if (a->jws.jwk != NULL) {
		if (!jwk_parse(a->jws.jwk, &a->key, p))
			return 0;
		if (mode == AUTH_ANY)
			return 1;
		rc = db_account_by_key(srv->db, ep->id, a->key.thumbprint, &a->acct);
		if (rc == DB_ERROR)
			return problem_set(p, PROB_SERVER_INTERNAL, "database error");
		a->has_acct = rc == DB_OK;
		return 1;
	}
	if ((uid = kid_uid(ep_url, a->jws.kid)) == NULL)
		return problem_set(p, PROB_ACCOUNT_DOES_NOT_EXIST,
		    "\"kid\" is not an account URL of this endpoint");
	switch (db_account_by_uid(srv->db, uid, &a->acct)) {
	case DB_OK:
		break;
	case DB_NOTFOUND:
		return problem_set(p, PROB_ACCOUNT_DOES_NOT_EXIST,
		    "no account %s on this endpoint", a->jws.kid);
	default:
		return problem_set(p, PROB_SERVER_INTERNAL, "database error");
	}
	a->has_acct = 1;
	if (a->acct.endpoint_id != ep->id)
		return problem_set(p, PROB_ACCOUNT_DOES_NOT_EXIST,
		    "no account %s on this endpoint", a->jws.kid);
	if (!jwk_parse_text(a->acct.jwk, &a->key, p)) {
		log_err("acme_auth: account %s: stored key does not parse", uid);
		return problem_set(p, PROB_SERVER_INTERNAL, "stored account key is invalid");
	}
	return 1;
}

int
acme_auth(struct acme_server *srv, const struct db_endpoint *ep,
    const char *ep_url, const char *url, const uint8_t *body, size_t len,
    enum auth_mode mode, struct acme_auth *a, struct problem *p)
{
	struct json_object	*obj;
	const char		*err;
	int			 ok;

	memset(a, 0, sizeof(*a));
	a->mode = mode;
	if ((obj = json_parse((const char *)body, len,
	    (int)srv->cfg->max_json_depth, &err)) == NULL)
		return problem_set(p, PROB_MALFORMED, "request body: %s", err);
	ok = jws_parse(obj, &a->jws, p);
	json_object_put(obj);
	if (!ok)
		return 0;

	if (a->jws.alg == JWS_ALG_INVALID || jws_alg_is_mac(a->jws.alg)) {
		problem_set(p, PROB_BAD_SIGNATURE_ALGORITHM,
		    "JWS algorithm \"%s\" is not supported", a->jws.alg_name);
		p->algorithms = 1;
		goto fail;
	}
	if (a->jws.url == NULL) {
		problem_set(p, PROB_MALFORMED, "JWS protected header has no \"url\"");
		goto fail;
	}
	/* RFC 8555 §6.4: the signed URL must be the URL this request went to. */
	if (strcmp(a->jws.url, url) != 0) {
		problem_set(p, PROB_UNAUTHORIZED,
		    "JWS \"url\" %s is not the URL of this request, %s", a->jws.url, url);
		goto fail;
	}
	if (a->jws.nonce == NULL) {
		problem_set(p, PROB_BAD_NONCE, "JWS protected header has no \"nonce\"");
		goto fail;
	}
	switch (nonce_check(&srv->nonce, a->jws.nonce, time(NULL), a->nonce_id,
	    &a->nonce_expires)) {
	case NONCE_VALID:
		break;
	case NONCE_EXPIRED:
		problem_set(p, PROB_BAD_NONCE, "nonce has expired");
		goto fail;
	default:
		problem_set(p, PROB_BAD_NONCE, "nonce was not issued by this server");
		goto fail;
	}
	if (!auth_key(srv, ep, ep_url, mode, a, p))
		goto fail;
	if (a->jws.alg != a->key.alg) {
		problem_set(p, PROB_BAD_SIGNATURE_ALGORITHM,
		    "JWS algorithm \"%s\" does not match the key, which signs with %s",
		    a->jws.alg_name, jws_alg_name(a->key.alg));
		p->algorithms = 1;
		goto fail;
	}
	if (!jwk_verify(&a->key, a->jws.alg, a->jws.signing_input,
	    a->jws.signing_input_len, a->jws.sig, a->jws.sig_len)) {
		problem_set(p, PROB_MALFORMED, "JWS signature does not verify");
		goto fail;
	}
	if (ep->status != EP_ACTIVE) {
		problem_set(p, PROB_UNAUTHORIZED, "this endpoint has been deactivated");
		goto fail;
	}
	a->ep = *ep;
	if (a->has_acct && a->acct.status != ACCT_VALID && mode != AUTH_JWK) {
		problem_set(p, PROB_UNAUTHORIZED, "account is %s",
		    account_status_name(a->acct.status));
		goto fail;
	}
	return 1;
fail:
	acme_auth_free(a);
	return 0;
}

void
acme_auth_free(struct acme_auth *a)
{
	jws_free(&a->jws);
	jwk_free(&a->key);
	db_account_free(&a->acct);
	memset(a, 0, sizeof(*a));
}

int
acme_txn_begin(struct acme_server *srv, struct acme_auth *a, struct problem *p)
{
	struct db_account	cur;
	struct db_endpoint	ep;
	time_t			now;

	if (!db_begin(srv->db))
		return problem_set(p, PROB_SERVER_INTERNAL, "database is busy");
	/*
	 * Checked again now that we hold the write lock: another process
	 * prunes records of nonces that expired before its own "now", which
	 * is never later than ours, so the record of a nonce still valid now
	 * cannot have been pruned.
	 */
	now = time(NULL);
	if (now > a->nonce_expires) {
		problem_set(p, PROB_BAD_NONCE, "nonce has expired");
		goto fail;
	}
	switch (db_nonce_consume(srv->db, a->nonce_id, NONCE_ID_LEN, a->nonce_expires)) {
	case DB_OK:
		break;
	case DB_CONFLICT:
		problem_set(p, PROB_BAD_NONCE, "nonce has already been used");
		goto fail;
	default:
		problem_set(p, PROB_SERVER_INTERNAL, "database error");
		goto fail;
	}
	if (now - srv->pruned >= NONCE_PRUNE_INTERVAL) {
		if (!db_nonce_prune(srv->db, now)) {
			problem_set(p, PROB_SERVER_INTERNAL, "database error");
			goto fail;
		}
		srv->pruned = now;
	}
	/*
	 * From here the nonce is spent whatever happens to the request
	 * (RFC 8555 §6.5): a refusal undoes the request's changes back to
	 * this savepoint and commits the nonce's use.
	 */
	if (!db_savepoint(srv->db)) {
		problem_set(p, PROB_SERVER_INTERNAL, "database error");
		goto fail;
	}
	switch (db_endpoint_get(srv->db, a->ep.name, &ep)) {
	case DB_OK:
		break;
	case DB_NOTFOUND:
		problem_set(p, PROB_UNAUTHORIZED, "this endpoint no longer exists");
		goto refused;
	default:
		problem_set(p, PROB_SERVER_INTERNAL, "database error");
		goto fail;
	}
	if (ep.status != EP_ACTIVE) {
		problem_set(p, PROB_UNAUTHORIZED, "this endpoint has been deactivated");
		goto refused;
	}
	if (a->jws.jwk != NULL && a->mode == AUTH_JWK) {
		/* A parallel newAccount with this key may have just committed. */
		switch (db_account_by_key(srv->db, a->ep.id, a->key.thumbprint, &cur)) {
		case DB_OK:
			db_account_free(&a->acct);
			a->acct = cur;
			a->has_acct = 1;
			break;
		case DB_NOTFOUND:
			db_account_free(&a->acct);
			a->has_acct = 0;
			break;
		default:
			problem_set(p, PROB_SERVER_INTERNAL, "database error");
			goto fail;
		}
	} else if (a->has_acct) {
		switch (db_account_by_uid(srv->db, a->acct.uid, &cur)) {
		case DB_OK:
			break;
		case DB_NOTFOUND:
			problem_set(p, PROB_ACCOUNT_DOES_NOT_EXIST, "account no longer exists");
			goto refused;
		default:
			problem_set(p, PROB_SERVER_INTERNAL, "database error");
			goto fail;
		}
		db_account_free(&a->acct);
		a->acct = cur;
		if (a->acct.status != ACCT_VALID) {
			problem_set(p, PROB_UNAUTHORIZED, "account is %s",
			    account_status_name(a->acct.status));
			goto refused;
		}
	}
	return 1;
refused:
	acme_txn_rollback(srv);
	return 0;
fail:
	db_rollback(srv->db);
	return 0;
}

int
acme_txn_commit(struct acme_server *srv, struct problem *p)
{
	if (!db_commit(srv->db))
		return problem_set(p, PROB_SERVER_INTERNAL,
		    "the change could not be committed; nothing was changed");
	return 1;
}

void
acme_txn_rollback(struct acme_server *srv)
{
	/* Undo the request, keep its nonce spent; all or nothing otherwise. */
	if (!db_rollback_savepoint(srv->db) || !db_commit(srv->db))
		db_rollback(srv->db);
}
