/*
 * acme.h - the server side of an ACME request, independent of FastCGI:
 * per-process state, the authentication every POST goes through (RFC 8555
 * §6.2-§6.5), and the request's transaction.
 */
#ifndef ACME_ACME_H
#define ACME_ACME_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "db.h"
#include "jwk.h"
#include "jws.h"
#include "nonce.h"

struct config;
struct problem;
struct signer;

struct acme_server {
	const struct config	*cfg;
	struct db		*db;
	struct nonce_key	 nonce;
	time_t			 pruned;	/* last time consumed nonces were pruned */
	struct signer		*signer;	/* the CA key's process (signer.h) */
	int			 jobs_queued;	/* a request queued background work */
};

/* Loads the nonce key (creating it in a new database).  Returns 1, or 0 logged. */
int	 acme_server_init(struct acme_server *srv, const struct config *cfg,
	    struct db *db);
/* A fresh nonce for a Replay-Nonce header (NONCE_TEXT_LEN + 1 bytes). */
int	 acme_nonce(struct acme_server *srv, char *out);

enum auth_mode {
	AUTH_JWK,	/* newAccount: signed with the new account's key */
	AUTH_KID,	/* everything else: signed by an existing account */
	AUTH_ANY	/* revokeCert: either; a "jwk" is then not an account's */
};

struct acme_auth {
	enum auth_mode		 mode;
	struct jws		 jws;
	struct jwk		 key;		/* the key that signed */
	struct db_account	 acct;		/* the signing account, if has_acct */
	/*
	 * AUTH_ANY with a "jwk" (RFC 8555 §7.6: the certificate's key): never
	 * has_acct, whatever account that key may also have.
	 */
	int			 has_acct;
	struct db_endpoint	 ep;		/* as read before the transaction */
	uint8_t			 nonce_id[NONCE_ID_LEN];
	time_t			 nonce_expires;
};

/*
 * Authenticates a POST body for the endpoint ep (whose URL is ep_url) at the
 * request URL url.  In order: strict JSON and flattened JWS; "alg" supported
 * (badSignatureAlgorithm); "url" equal to url (unauthorized); "nonce" one of
 * ours and unexpired (badNonce); exactly one of "jwk" and "kid", as mode
 * requires (malformed); the key valid (badPublicKey) or the account known on
 * this endpoint (accountDoesNotExist); "alg" that of the key; the signature;
 * the endpoint active and the account valid (unauthorized).  The nonce is
 * not consumed here: acme_txn_begin() does it.  Returns 1 with a filled
 * (free with acme_auth_free), or 0 with p set.
 */
int	 acme_auth(struct acme_server *srv, const struct db_endpoint *ep,
	    const char *ep_url, const char *url, const uint8_t *body, size_t len,
	    enum auth_mode mode, struct acme_auth *a, struct problem *p);
void	 acme_auth_free(struct acme_auth *a);

/*
 * Starts the request's transaction: BEGIN IMMEDIATE, consume the nonce
 * (badNonce if it was used before or expired while we waited), and read
 * again what acme_auth() decided on, since another process may have changed
 * it meanwhile: the endpoint (unauthorized if deactivated), the account of
 * a "kid" (unauthorized unless valid), the account of a "jwk" (it may have
 * been created).  A nonce that was spent stays spent when a later check
 * refuses the request; before that, everything is rolled back.
 */
int	 acme_txn_begin(struct acme_server *srv, struct acme_auth *a,
	    struct problem *p);
/* Commits durably; on failure rolls back and sets serverInternal. */
int	 acme_txn_commit(struct acme_server *srv, struct problem *p);
/*
 * A refused request: undoes everything it changed but the use of its
 * nonce, which is committed (RFC 8555 §6.5: a nonce is used once, whatever
 * the answer).
 */
void	 acme_txn_rollback(struct acme_server *srv);

/* RFC 3339 UTC time into out (at least 21 bytes). */
void	 acme_time(time_t t, char *out, size_t len);

#endif
