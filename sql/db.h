/*
 * db.h - the state store.  The only interface to SQL in the program: it
 * speaks in the project's own types and never exposes sqlite3, so that
 * another backend could implement the same functions.
 *
 * One connection per process.  Lookups return DB_OK, DB_NOTFOUND or
 * DB_ERROR (logged here).  Output structs own their strings; free them with
 * their db_*_free().  Everything that changes state runs between db_begin()
 * and db_commit(); a commit is durable (WAL, synchronous=FULL) before it
 * returns.
 */
#ifndef ACME_DB_H
#define ACME_DB_H

#include <stddef.h>
#include <stdint.h>

struct db;

enum db_rc {
	DB_ERROR = -1,
	DB_NOTFOUND = 0,
	DB_OK = 1,
	DB_CONFLICT = 2		/* uniqueness violated: already there */
};

/* Longest uid (URL identifier) stored. */
#define DB_UID_MAX	32
#define DB_NAME_MAX	63
#define DB_KID_MAX	128

/*
 * Opens path.  With create, a missing file is created (mode 0600) and its
 * schema laid down; an older schema is migrated either way.  A database file
 * readable or writable by others is refused.  Returns NULL with err set.
 */
struct db	*db_open(const char *path, unsigned busy_timeout_ms, int create,
		    char *err, size_t errlen);
void		 db_close(struct db *db);
/* Schema version of this build. */
int		 db_schema_version(void);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK.  1 on success, 0 on error. */
int		 db_begin(struct db *db);
int		 db_commit(struct db *db);
void		 db_rollback(struct db *db);
/*
 * Inside a transaction: marks where a request's own changes begin, and
 * undoes them back to the mark (the transaction stays open).  1, or 0.
 */
int		 db_savepoint(struct db *db);
int		 db_rollback_savepoint(struct db *db);

/* A named secret: DB_OK with len bytes in buf, or DB_NOTFOUND. */
enum db_rc	 db_secret_get(struct db *db, const char *name, uint8_t *buf, size_t len);
/* Stores a secret unless one of that name exists; then reads it back. */
enum db_rc	 db_secret_init(struct db *db, const char *name, uint8_t *buf, size_t len);

/* Records a consumed nonce: DB_OK, or DB_CONFLICT if it was consumed before. */
enum db_rc	 db_nonce_consume(struct db *db, const uint8_t *id, size_t len,
		    int64_t expires);
/* Forgets consumed nonces that expired before now. */
int		 db_nonce_prune(struct db *db, int64_t now);

/* Statuses, with their RFC 8555 words. */
enum endpoint_status { EP_ACTIVE, EP_DEACTIVATED, EP__MAX };
enum eab_status { EAB_ACTIVE, EAB_REVOKED, EAB__MAX };
enum account_status { ACCT_VALID, ACCT_DEACTIVATED, ACCT_REVOKED, ACCT__MAX };

const char	*account_status_name(enum account_status s);

struct db_endpoint {
	int64_t			 id;
	char			 name[DB_NAME_MAX + 1];
	int			 eab_required;
	enum endpoint_status	 status;
};

enum db_rc	 db_endpoint_get(struct db *db, const char *name, struct db_endpoint *out);

struct db_eab {
	int64_t			 id;
	char			 kid[DB_KID_MAX + 1];
	int64_t			 endpoint_id;
	char			*hmac;		/* base64url key */
	int			 reusable;
	enum eab_status		 status;
	int64_t			 accounts;	/* accounts bound to it */
};

enum db_rc	 db_eab_get(struct db *db, const char *kid, struct db_eab *out);
void		 db_eab_free(struct db_eab *e);

struct db_account {
	int64_t			 id;
	char			 uid[DB_UID_MAX + 1];
	int64_t			 endpoint_id;
	int64_t			 eab_key_id;	/* 0: none */
	char			*jwk;		/* canonical JWK text */
	char			*thumbprint;
	char			*contact;	/* JSON array text */
	int			 tos_agreed;
	enum account_status	 status;
	int64_t			 created;
};

enum db_rc	 db_account_by_uid(struct db *db, const char *uid, struct db_account *out);
enum db_rc	 db_account_by_id(struct db *db, int64_t id, struct db_account *out);
enum db_rc	 db_account_by_key(struct db *db, int64_t endpoint_id,
		    const char *thumbprint, struct db_account *out);
/* Inserts a (its id is set); DB_CONFLICT if the key already has an account. */
enum db_rc	 db_account_insert(struct db *db, struct db_account *a);
/* Writes contact, tos_agreed and status. */
enum db_rc	 db_account_update(struct db *db, const struct db_account *a);
void		 db_account_free(struct db_account *a);

/* A local CA (acme-ca(8)); the signer loads issuing_key, nobody else. */
struct db_ca {
	int64_t			 id;
	char			 name[DB_NAME_MAX + 1];
	char			*issuing_pem;
	char			*root_pem;
	char			*issuing_key;	/* file name or pkcs11: URL */
	int			 active;	/* 0: retired */
};

enum db_rc	 db_ca_get(struct db *db, int64_t id, struct db_ca *out);
enum db_rc	 db_ca_by_name(struct db *db, const char *name, struct db_ca *out);
void		 db_ca_free(struct db_ca *c);

/*
 * The private key files the server loads: the issuing keys of the active
 * CAs and the account keys of the active upstreams (pkcs11: URLs left
 * out), sorted by owner.  *owners ("CA NAME", "upstream NAME") and *files
 * are NULL-terminated lists of the same length; free each with
 * db_strv_free().
 */
enum db_rc	 db_key_files(struct db *db, char ***owners, char ***files);
void		 db_strv_free(char **v);

/* The issuing policy of an endpoint: its application, template and tag. */
struct db_policy {
	int64_t			 application_id;
	int64_t			 template_id;
	int64_t			 ca_id;		/* 0 for an upstream template */
	int64_t			 ca_not_after;	/* the issuing certificate's */
	int64_t			 upstream_id;	/* managed ACME; 0 for a CA template */
	char			 tag[65];	/* "" if none */
	int			 allow_wildcard;
	char			 key_types[96];	/* "ec256,rsa2048,..." */
	unsigned		 validity_days;
	unsigned		 max_validity_days;
	char			 eku[32];	/* "serverAuth,clientAuth", ... */
	char			**dns_rules;	/* NULL-terminated */
	char			**ip_rules;	/* NULL-terminated */
};

/* DB_NOTFOUND if the endpoint is bound to no template. */
enum db_rc	 db_policy_get(struct db *db, int64_t endpoint_id, struct db_policy *out);
void		 db_policy_free(struct db_policy *p);

enum order_status {
	ORDER_PENDING, ORDER_READY, ORDER_PROCESSING, ORDER_VALID, ORDER_INVALID,
	ORDER__MAX
};
enum authz_status {
	AUTHZ_PENDING, AUTHZ_VALID, AUTHZ_INVALID, AUTHZ_DEACTIVATED,
	AUTHZ_EXPIRED, AUTHZ_REVOKED, AUTHZ__MAX
};

const char	*order_status_name(enum order_status s);
const char	*authz_status_name(enum authz_status s);

struct db_order {
	int64_t			 id;
	char			 uid[DB_UID_MAX + 1];
	int64_t			 account_id;
	enum order_status	 status;
	char			*identifiers;	/* JSON array text */
	int64_t			 not_before;	/* 0: not asked */
	int64_t			 not_after;	/* 0: not asked */
	int64_t			 expires;
	char			*error;		/* problem JSON, or NULL */
	int64_t			 created;
	char			 cert_uid[DB_UID_MAX + 1];	/* "" until issued */
};

/* Inserts o (its id is set). */
enum db_rc	 db_order_insert(struct db *db, struct db_order *o);
enum db_rc	 db_order_by_uid(struct db *db, const char *uid, struct db_order *out);
enum db_rc	 db_order_by_id(struct db *db, int64_t id, struct db_order *out);
/*
 * Moves order id from status from to status to (error: problem JSON or
 * NULL).  DB_NOTFOUND if the order is not in status from any more.
 */
enum db_rc	 db_order_set_status(struct db *db, int64_t id,
		    enum order_status from, enum order_status to, const char *error);
/*
 * Up to max order uids of an account, oldest first, with ids above after;
 * *next is the id to continue after, or 0 when there are no more.
 */
enum db_rc	 db_account_orders(struct db *db, int64_t account_id,
		    int64_t after, size_t max, char (*uids)[DB_UID_MAX + 1],
		    size_t *n, int64_t *next);
/*
 * The number of orders of an account that are not finished at time now
 * (RFC 8555 §7.1.6): pending or ready and expiring after now, or
 * processing.  *soonest is the earliest expiry of those pending or ready
 * ones, 0 if there are none.
 */
enum db_rc	 db_account_unfinished_orders(struct db *db, int64_t account_id,
		    int64_t now, int64_t *n, int64_t *soonest);
void		 db_order_free(struct db_order *o);

struct db_authz {
	int64_t			 id;
	char			 uid[DB_UID_MAX + 1];
	int64_t			 order_id;
	int64_t			 account_id;	/* the order's */
	char			 type[4];	/* "dns", "ip" */
	char			 value[254];
	int			 wildcard;
	enum authz_status	 status;
	int64_t			 expires;
	int64_t			 created;
};

enum db_rc	 db_authz_insert(struct db *db, struct db_authz *a);
enum db_rc	 db_authz_by_uid(struct db *db, const char *uid, struct db_authz *out);
/* The authorizations of an order, in creation order: at most max. */
enum db_rc	 db_order_authzs(struct db *db, int64_t order_id,
		    struct db_authz *out, size_t max, size_t *n);
enum db_rc	 db_authz_set_status(struct db *db, int64_t id, enum authz_status s);

struct db_cert {
	int64_t			 id;
	char			 uid[DB_UID_MAX + 1];
	char			 serial[41];	/* lower-case hex */
	int64_t			 order_id;
	int64_t			 account_id;
	int64_t			 endpoint_id;
	int64_t			 application_id;	/* 0: none */
	int64_t			 template_id;		/* 0: none */
	char			 tag[65];
	int64_t			 ca_id;		/* a local CA's, or 0 */
	int64_t			 upstream_id;	/* an upstream's, or 0 */
	char			*names;		/* JSON array text */
	char			 key_type[16];
	int64_t			 not_before;
	int64_t			 not_after;
	char			*pem;		/* the leaf */
	char			*chain;		/* upstream: the certificates after it */
	int			 revoked;
	int64_t			 revoked_at;	/* 0 unless revoked */
	int			 reason;	/* RFC 5280 code; -1: none given */
	int64_t			 created;
};

enum db_rc	 db_cert_insert(struct db *db, struct db_cert *c);
enum db_rc	 db_cert_by_uid(struct db *db, const char *uid, struct db_cert *out);
/*
 * The certificates of endpoint endpoint_id with serial (lower-case hex, no
 * leading zero octets), one per issuer: at most max into out, oldest first
 * (free each with db_cert_free()).  DB_NOTFOUND if there is none.
 */
enum db_rc	 db_certs_by_serial(struct db *db, int64_t endpoint_id,
		    const char *serial, struct db_cert *out, size_t max, size_t *n);
/*
 * The renewal information (RFC 9773) last relayed for certificate id: its
 * JSON text (malloc'd) and the time it is kept until.  DB_NOTFOUND if none.
 */
enum db_rc	 db_cert_renewal_info(struct db *db, int64_t id, char **json,
		    int64_t *until);
/*
 * Keeps json (a renewalInfo object) for certificate id until the time
 * until; only a certificate from an upstream has one (DB_NOTFOUND else).
 */
enum db_rc	 db_cert_set_renewal_info(struct db *db, int64_t id,
		    const char *json, int64_t until);
enum db_rc	 db_cert_by_id(struct db *db, int64_t id, struct db_cert *out);
/*
 * Revokes certificate id at time now with reason (an RFC 5280 code, or -1
 * for none: stored as NULL).  DB_NOTFOUND if there is no such certificate
 * or it is revoked already.
 */
enum db_rc	 db_cert_revoke(struct db *db, int64_t id, int64_t now, int reason);
void		 db_cert_free(struct db_cert *c);

/*
 * Managed ACME: upstream ACME CAs (acme-upstream(8)), the managed
 * challenges that answer their challenges (acme-managed-challenge(8)), and
 * the orders placed there.
 */
struct db_upstream {
	int64_t			 id;
	char			 name[DB_NAME_MAX + 1];
	char			*directory;
	char			*eab_kid;	/* NULL: no binding */
	char			*eab_hmac;	/* NULL: no binding */
	char			*ca_bundle;	/* NULL: the system's */
	char			*contact;	/* one mailto: URL, or NULL */
	char			*profile;	/* or NULL */
	char			*preferred_chain; /* an issuer CN, or NULL */
	char			 key_type[16];
	char			*account_key;	/* the key file */
	char			*account_url;	/* NULL until registered */
	int			 active;	/* 0: removed */
};

enum db_rc	 db_upstream_get(struct db *db, int64_t id, struct db_upstream *out);
/*
 * Records the account URL of upstream id unless one is recorded already
 * (two runners may register the same key at once: the same account).
 */
enum db_rc	 db_upstream_set_account(struct db *db, int64_t id, const char *url);
void		 db_upstream_free(struct db_upstream *u);

struct db_mchall {
	int64_t			 id;
	char			 name[DB_NAME_MAX + 1];
	char			 type[8];	/* "dns-01", "http-01" */
	char			 solver[8];	/* "rfc2136", "hook", "webroot" */
	char			*hook;		/* hook: the program */
	char			*server;	/* rfc2136 */
	unsigned		 port;		/* rfc2136 */
	char			*tsig_key;	/* rfc2136: the key file */
	char			*zone;		/* rfc2136, or NULL */
	char			*webroot;	/* webroot */
	unsigned		 propagation_wait;
	int			 propagation_check;
	char			**rules;	/* NULL-terminated */
};

/*
 * The active managed challenges that the accounts of EAB key eab_key_id
 * (0: an account bound to none) may use, by name: those the key lists, or
 * every one if it lists none.  *out is an array of *n; free it with
 * db_mchalls_free().
 */
enum db_rc	 db_mchalls_usable(struct db *db, int64_t eab_key_id,
		    struct db_mchall **out, size_t *n);
void		 db_mchalls_free(struct db_mchall *v, size_t n);

/* An order that an upstream fills: the client's CSR and the upstream order. */
struct db_upstream_order {
	int64_t			 order_id;
	int64_t			 upstream_id;
	uint8_t			*csr;		/* DER */
	size_t			 csr_len;
	char			*url;		/* the upstream order; NULL until placed */
	int64_t			 created;
};

/* DB_CONFLICT if the order has one already. */
enum db_rc	 db_upstream_order_add(struct db *db, const struct db_upstream_order *u);
enum db_rc	 db_upstream_order_get(struct db *db, int64_t order_id,
		    struct db_upstream_order *out);
enum db_rc	 db_upstream_order_set_url(struct db *db, int64_t order_id,
		    const char *url);
void		 db_upstream_order_free(struct db_upstream_order *u);

/*
 * The durable job queue (core/job.h has the policy).  A job is queued,
 * claimed by one runner with a lease (running), then done or failed; a
 * retry puts it back to queued.  Every call runs inside the caller's
 * db_begin()/db_commit(), like the rest of this file.  Each change of a
 * running job names its owner and happens only if that owner still holds
 * it: a runner whose lease expired and was claimed by another gets
 * DB_NOTFOUND and changes nothing.  Times are unix seconds.
 */
/* upstream_order: ref_id is an order's id; upstream_revoke: a certificate's. */
enum job_kind { JOB_UPSTREAM_ORDER, JOB_UPSTREAM_REVOKE, JOB_KIND__MAX };
enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE, JOB_FAILED, JOB_STATE__MAX };

/* Longest lease owner ("pid@host") and stored error text, in bytes. */
#define DB_JOB_OWNER_MAX	128
#define DB_JOB_ERROR_MAX	1024

const char	*job_kind_name(enum job_kind k);
const char	*job_state_name(enum job_state s);

struct db_job {
	int64_t			 id;
	enum job_kind		 kind;
	int64_t			 ref_id;	/* the row it works on */
	enum job_state		 state;
	int			 attempts;	/* claims so far */
	int			 max_attempts;
	int64_t			 next_run;	/* not claimed before */
	char			 lease_owner[DB_JOB_OWNER_MAX + 1]; /* "" unless running */
	int64_t			 lease_until;	/* 0 unless running */
	int64_t			 deadline;	/* failed from then on */
	char			*last_error;	/* NULL if none */
	int64_t			 created;
	int64_t			 updated;
};

/*
 * Queues kind for row ref_id, due at once (next_run = now); *id is set.
 * DB_CONFLICT if that job exists already, whatever its state.
 */
enum db_rc	 db_job_add(struct db *db, enum job_kind kind, int64_t ref_id,
		    int max_attempts, int64_t deadline, int64_t now, int64_t *id);
/*
 * Claims the due job with the earliest next_run for owner until
 * now + lease_seconds: a queued one whose next_run has come, or a running
 * one whose lease expired (its runner died) and that has attempts left;
 * never one past its deadline.  Counts an attempt.  Fills out (free it with
 * db_job_free()); DB_NOTFOUND if nothing is due.  A single statement, so
 * two processes never claim the same job.
 */
enum db_rc	 db_job_claim(struct db *db, const char *owner, int64_t now,
		    int lease_seconds, struct db_job *out);
/* Extends owner's lease to now + lease_seconds; DB_NOTFOUND if lost. */
enum db_rc	 db_job_renew(struct db *db, int64_t id, const char *owner,
		    int64_t now, int lease_seconds);
/* Marks owner's job done; DB_NOTFOUND if the lease was lost. */
enum db_rc	 db_job_done(struct db *db, int64_t id, const char *owner,
		    int64_t now);
/*
 * Gives owner's job back to the queue, due at next_run, noting error; it
 * is failed instead when its attempts are used up or next_run is not
 * before its deadline (db_job_get() tells which).  DB_NOTFOUND if the lease
 * was lost.  error is truncated to DB_JOB_ERROR_MAX bytes.
 */
enum db_rc	 db_job_retry(struct db *db, int64_t id, const char *owner,
		    int64_t next_run, const char *error, int64_t now);
/* Fails owner's job with error for good; DB_NOTFOUND if the lease was lost. */
enum db_rc	 db_job_fail(struct db *db, int64_t id, const char *owner,
		    const char *error, int64_t now);
enum db_rc	 db_job_get(struct db *db, int64_t id, struct db_job *out);
/*
 * The running jobs whose lease owner is "PID@host": at most max, into out
 * (free each with db_job_free()).  Returns how many, or -1.
 */
int		 db_jobs_running_on(struct db *db, const char *host,
		    struct db_job *out, size_t max);
/*
 * Gives a running job back to the queue, due at now, if owner still holds
 * it: for a lease whose owner is known dead.  DB_NOTFOUND if not held.
 */
enum db_rc	 db_job_release(struct db *db, int64_t id, const char *owner,
		    int64_t now);
/*
 * DB_OK if a queued job's next_run has come or a running job's lease has
 * run out, else DB_NOTFOUND.  Jobs past their deadline or out of attempts
 * count too: a runner started for them fails them (its sweep).
 */
enum db_rc	 db_job_due(struct db *db, int64_t now);
/*
 * Fails queued or running jobs whose deadline has come ("deadline passed")
 * and running ones whose lease expired on their last attempt, keeping the
 * error of the attempt before ("; last error: ..."): at most max,
 * copied into out (each to be freed with db_job_free()) so that the caller
 * can finish what each worked on in the same transaction.  Returns how
 * many, or -1 on error; call again while it returns max.
 */
int		 db_jobs_failed_deadline(struct db *db, int64_t now,
		    struct db_job *out, size_t max);
void		 db_job_free(struct db_job *j);

#endif
