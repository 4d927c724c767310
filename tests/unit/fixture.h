/*
 * fixture.h - test fixtures: temporary directories, keys, and database rows that
 * the program itself never writes (endpoints and EAB keys are made by the
 * administration scripts).  fixture.c is the only test code that speaks SQL.
 */
#ifndef ACME_FIXTURE_H
#define ACME_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "key.h"

/* Longest path the fixtures build. */
#define FIXTURE_PATH_MAX	512

/* Makes a new directory under $TMPDIR (or /tmp) into dir.  Returns 1 or 0. */
int	 fixture_tmpdir(char *dir, size_t len);
/* cmocka group setup and teardown: a temporary directory, fixture_dir. */
extern char	 fixture_dir[];
int	 fixture_group_setup(void **state);
int	 fixture_group_teardown(void **state);
/*
 * cmocka group setup and teardown: fixture_keys[t] is a fresh key of each
 * JWS key type t (EC P-256, P-384, P-521, RSA 2048, Ed25519).
 */
extern struct key fixture_keys[];
int	 fixture_keys_setup(void **state);
int	 fixture_keys_teardown(void **state);
/* Removes dir and the files in it (one level: the tests make no subdirectories). */
void	 fixture_rmtree(const char *dir);
/* dir "/" name into out; returns 1, or 0 if it does not fit. */
int	 fixture_path(char *out, size_t len, const char *dir, const char *name);
/* Writes text to a new file path.  Returns 1 or 0. */
int	 fixture_write(const char *path, const char *text);

/* Each opens its own connection to the database file db_path. */
/* Adds an endpoint; status is "active" or "deactivated".  Returns 1 or 0. */
int	 fixture_endpoint_add(const char *db_path, const char *name,
	    int eab_required, const char *status);
/* Sets an endpoint's status; 0 if the database refuses. */
int	 fixture_endpoint_set_status(const char *db_path, const char *name,
	    const char *status);
/* Adds an EAB key of the endpoint; status "active" or "revoked". */
int	 fixture_eab_add(const char *db_path, const char *kid,
	    const char *endpoint, const char *hmac, int reusable,
	    const char *status);
/* Sets an EAB key's status; 0 if the database refuses. */
int	 fixture_eab_set_status(const char *db_path, const char *kid,
	    const char *status);
/*
 * Adds a CA as acme-ca(8) records one: an ec256 CA whose root and issuing
 * certificate are both issuing_pem and whose issuing key is the file
 * key_path; status "active" or "retired".  Returns 1 or 0.
 */
int	 fixture_ca_add(const char *db_path, const char *name,
	    const char *status, const char *issuing_pem, const char *key_path);
/* Sets a CA's status; 0 if the database refuses. */
int	 fixture_ca_set_status(const char *db_path, const char *name,
	    const char *status);
/*
 * Adds an upstream ACME CA as acme-upstream(8) records one: directory
 * "https://ca.example/<name>/directory", key type ec256, account key
 * "/var/lib/acme-fcgi/<name>.key", and the optional columns as given
 * (NULL: none); status "active" or "removed" (removed at 1700000001).
 * Returns 1 or 0.
 */
int	 fixture_upstream_add(const char *db_path, const char *name,
	    const char *eab_kid, const char *eab_hmac, const char *ca_bundle,
	    const char *contact, const char *profile, const char *preferred_chain,
	    const char *account_url, const char *status);
/*
 * Adds a managed challenge as acme-managed-challenge(8) records one, of
 * type "dns-01" or "http-01" and solver "hook" (hook "/usr/local/bin/<name>"),
 * "rfc2136" (server "ns.example.net", port 5353, TSIG key
 * "/etc/acme-fcgi/<name>.tsig", zone as given, NULL: none) or "webroot"
 * (webroot "/var/www/<name>"), with no rule; status "active".  Returns 1
 * or 0.
 */
int	 fixture_mchall_add(const char *db_path, const char *name,
	    const char *type, const char *solver, const char *zone,
	    int propagation_wait, int propagation_check);
/* Adds a name rule to a managed challenge.  Returns 1 or 0. */
int	 fixture_mchall_rule_add(const char *db_path, const char *name,
	    const char *rule);
/*
 * Sets a managed challenge's status ("removed" records when, as the
 * schema asks); 0 if the database refuses.
 */
int	 fixture_mchall_set_status(const char *db_path, const char *name,
	    const char *status);
/* Lets the accounts of EAB key kid use a managed challenge.  Returns 1 or 0. */
int	 fixture_eab_mchall_add(const char *db_path, const char *kid,
	    const char *mchall);
/* The id of the row of table ("upstreams", "managed_challenges") named name, or -1. */
int64_t	 fixture_row_id(const char *db_path, const char *table, const char *name);
/* PRAGMA user_version of the file, or -1. */
int	 fixture_user_version(const char *db_path);
/* Sets PRAGMA user_version.  Returns 1 or 0. */
int	 fixture_set_user_version(const char *db_path, int version);
/* Number of rows in the nonces table, or -1. */
int	 fixture_nonce_count(const char *db_path);

#endif
