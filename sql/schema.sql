-- acme-fcgi database schema.  This file is the truth: a new database is
-- created from it, and PRAGMA user_version holds its version (the number of
-- the newest file in migrations/, which upgrade older databases).
--
-- Times are Unix seconds (UTC).  Identifiers that appear in URLs ("uid") are
-- random, never row numbers.  Statuses are RFC 8555 §7.1.6 words.

-- Per-database secrets: the nonce MAC key.
CREATE TABLE secrets (
	name		TEXT PRIMARY KEY,
	value		BLOB NOT NULL
) WITHOUT ROWID;

-- An ACME endpoint: one directory, {base}/{name}/directory (what the seed
-- product calls an "ACMEv2 server").
CREATE TABLE endpoints (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE
			CHECK (length(name) BETWEEN 1 AND 63 AND name NOT GLOB '*[^a-z0-9_-]*'
			    AND substr(name, 1, 1) GLOB '[a-z0-9]'),
	eab_required	INTEGER NOT NULL DEFAULT 1 CHECK (eab_required IN (0, 1)),
	-- Bound to an application and an issuing template together, or to
	-- neither (accounts only: such an endpoint issues nothing).
	application_id	INTEGER REFERENCES applications(id),
	template_id	INTEGER REFERENCES templates(id),
	-- Recorded with every certificate the endpoint issues (seed 000).
	tag		TEXT CHECK (tag IS NULL OR (length(tag) BETWEEN 1 AND 64
			    AND tag NOT GLOB '*[^A-Za-z0-9._:-]*')),
	status		TEXT NOT NULL DEFAULT 'active'
			CHECK (status IN ('active', 'deactivated')),
	created		INTEGER NOT NULL,
	deactivated	INTEGER,
	CHECK ((application_id IS NULL) = (template_id IS NULL))
);

-- Deactivation is permanent (seed 000: "permanently deactivates").
CREATE TRIGGER endpoints_deactivation_permanent
BEFORE UPDATE OF status ON endpoints
WHEN OLD.status = 'deactivated' AND NEW.status <> 'deactivated'
BEGIN
	SELECT RAISE(ABORT, 'endpoint deactivation is permanent');
END;

-- External Account Binding keys (RFC 8555 §7.3.4).  hmac is the base64url
-- MAC key as handed to the client.
CREATE TABLE eab_keys (
	id		INTEGER PRIMARY KEY,
	kid		TEXT NOT NULL UNIQUE
			CHECK (length(kid) BETWEEN 1 AND 128 AND kid NOT GLOB '*[^A-Za-z0-9_-]*'),
	endpoint_id	INTEGER NOT NULL REFERENCES endpoints(id),
	hmac		TEXT NOT NULL CHECK (length(hmac) >= 22),
	reusable	INTEGER NOT NULL DEFAULT 0 CHECK (reusable IN (0, 1)),
	status		TEXT NOT NULL DEFAULT 'active'
			CHECK (status IN ('active', 'revoked')),
	note		TEXT,
	created		INTEGER NOT NULL,
	revoked		INTEGER
);
CREATE INDEX eab_keys_endpoint ON eab_keys(endpoint_id);

CREATE TRIGGER eab_keys_revocation_permanent
BEFORE UPDATE OF status ON eab_keys
WHEN OLD.status = 'revoked' AND NEW.status <> 'revoked'
BEGIN
	SELECT RAISE(ABORT, 'EAB key revocation is permanent');
END;

-- ACME accounts (RFC 8555 §7.1.2).  jwk is the RFC 7638 canonical form of
-- the account key; thumbprint its base64url SHA-256.
CREATE TABLE accounts (
	id		INTEGER PRIMARY KEY,
	uid		TEXT NOT NULL UNIQUE,
	endpoint_id	INTEGER NOT NULL REFERENCES endpoints(id),
	eab_key_id	INTEGER REFERENCES eab_keys(id),
	jwk		TEXT NOT NULL,
	thumbprint	TEXT NOT NULL,
	contact		TEXT NOT NULL DEFAULT '[]',
	tos_agreed	INTEGER NOT NULL DEFAULT 0 CHECK (tos_agreed IN (0, 1)),
	status		TEXT NOT NULL DEFAULT 'valid'
			CHECK (status IN ('valid', 'deactivated', 'revoked')),
	created		INTEGER NOT NULL,
	UNIQUE (endpoint_id, thumbprint)
);
CREATE INDEX accounts_eab_key ON accounts(eab_key_id);

CREATE TRIGGER accounts_deactivation_permanent
BEFORE UPDATE OF status ON accounts
WHEN OLD.status <> 'valid' AND NEW.status = 'valid'
BEGIN
	SELECT RAISE(ABORT, 'account deactivation is permanent');
END;

CREATE TRIGGER accounts_endpoint_active
BEFORE INSERT ON accounts
WHEN (SELECT status FROM endpoints WHERE id = NEW.endpoint_id) <> 'active'
BEGIN
	SELECT RAISE(ABORT, 'endpoint is deactivated');
END;

-- Consumed nonces, kept until they would have expired anyway.
CREATE TABLE nonces (
	id		BLOB PRIMARY KEY,
	expires		INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX nonces_expires ON nonces(expires);

-- A local certificate authority (acme-ca(8)): a self-signed root and the
-- issuing intermediate it signed.  Keys never enter the database: root_key
-- and issuing_key are absolute file names or GnuTLS pkcs11: URLs, read only
-- by acme-ca and the signer process.  subject and not_after repeat the
-- issuing certificate's, for listing.
CREATE TABLE cas (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE
			CHECK (length(name) BETWEEN 1 AND 63 AND name NOT GLOB '*[^a-z0-9_-]*'
			    AND substr(name, 1, 1) GLOB '[a-z0-9]'),
	key_type	TEXT NOT NULL
			CHECK (key_type IN ('ec256', 'ec384', 'rsa3072', 'rsa4096', 'ed25519')),
	root_key_type	TEXT NOT NULL
			CHECK (root_key_type IN ('ec256', 'ec384', 'rsa3072', 'rsa4096', 'ed25519')),
	subject		TEXT NOT NULL,
	root_pem	TEXT NOT NULL CHECK (root_pem LIKE '-----BEGIN CERTIFICATE-----%'),
	issuing_pem	TEXT NOT NULL CHECK (issuing_pem LIKE '-----BEGIN CERTIFICATE-----%'),
	root_key	TEXT NOT NULL CHECK (root_key LIKE '/%' OR root_key LIKE 'pkcs11:%'),
	issuing_key	TEXT NOT NULL CHECK (issuing_key LIKE '/%' OR issuing_key LIKE 'pkcs11:%'),
	not_after	INTEGER NOT NULL,
	status		TEXT NOT NULL DEFAULT 'active'
			CHECK (status IN ('active', 'retired')),
	created		INTEGER NOT NULL
);

-- An application: who the certificates of its endpoints are for (seed 000).
CREATE TABLE applications (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE
			CHECK (length(name) BETWEEN 1 AND 63 AND name NOT GLOB '*[^a-z0-9_-]*'
			    AND substr(name, 1, 1) GLOB '[a-z0-9]'),
	owner		TEXT CHECK (owner IS NULL OR length(owner) BETWEEN 3 AND 254),
	description	TEXT CHECK (description IS NULL OR length(description) <= 1024),
	created		INTEGER NOT NULL
);

-- An issuing template: which identifiers its endpoints may have certified,
-- by whom, with which keys, for how long.  Rules are in template_rules.
-- Exactly one issuer: a local CA (ca_id), which takes the validity and
-- key usages here, or an upstream ACME CA (upstream_id), which decides
-- both itself, so they are NULL.  (Version 3 rebuilt this table to make
-- ca_id nullable; see migrations/003-upstreams.sql.)
CREATE TABLE templates (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE
			CHECK (length(name) BETWEEN 1 AND 63 AND name NOT GLOB '*[^a-z0-9_-]*'
			    AND substr(name, 1, 1) GLOB '[a-z0-9]'),
	ca_id		INTEGER REFERENCES cas(id),
	upstream_id	INTEGER REFERENCES upstreams(id),
	allow_wildcard	INTEGER NOT NULL DEFAULT 0 CHECK (allow_wildcard IN (0, 1)),
	key_types	TEXT NOT NULL
			CHECK (key_types <> '' AND key_types NOT GLOB '*[^a-z0-9,]*'),
	validity_days	INTEGER CHECK (validity_days BETWEEN 1 AND 3650),
	max_validity_days INTEGER
			CHECK (max_validity_days BETWEEN validity_days AND 3650),
	eku		TEXT
			CHECK (eku IN ('serverAuth', 'clientAuth', 'serverAuth,clientAuth',
			    'clientAuth,serverAuth')),
	created		INTEGER NOT NULL,
	CHECK ((ca_id IS NULL) <> (upstream_id IS NULL)),
	CHECK ((validity_days IS NULL) = (ca_id IS NULL)
	    AND (max_validity_days IS NULL) = (ca_id IS NULL)
	    AND (eku IS NULL) = (ca_id IS NULL))
);

-- Name rules ("host.example.com", "*.example.com") and address rules
-- ("192.0.2.0/24"), in the normal form tools/acme-check prints.
CREATE TABLE template_rules (
	template_id	INTEGER NOT NULL REFERENCES templates(id),
	kind		TEXT NOT NULL CHECK (kind IN ('dns', 'ip')),
	rule		TEXT NOT NULL CHECK (length(rule) BETWEEN 1 AND 253),
	PRIMARY KEY (template_id, kind, rule)
) WITHOUT ROWID;

-- An order (RFC 8555 §7.1.3).  identifiers is the JSON array of the order's
-- identifiers in normal form and in the client's order; not_before and
-- not_after are what the client asked for (NULL: not asked).  error is a
-- problem document (JSON) once the order is invalid.
CREATE TABLE orders (
	id		INTEGER PRIMARY KEY,
	uid		TEXT NOT NULL UNIQUE,
	account_id	INTEGER NOT NULL REFERENCES accounts(id),
	status		TEXT NOT NULL
			CHECK (status IN ('pending', 'ready', 'processing', 'valid', 'invalid')),
	identifiers	TEXT NOT NULL CHECK (json_valid(identifiers)),
	not_before	INTEGER,
	not_after	INTEGER,
	expires		INTEGER NOT NULL,
	error		TEXT CHECK (error IS NULL OR json_valid(error)),
	created		INTEGER NOT NULL
);
CREATE INDEX orders_account ON orders(account_id, id);
-- The account's unfinished orders, counted for max_pending_orders.
CREATE INDEX orders_unfinished ON orders(account_id, status, expires);

-- A finished order never changes again (RFC 8555 §7.1.6).
CREATE TRIGGER orders_final
BEFORE UPDATE OF status ON orders
WHEN OLD.status IN ('valid', 'invalid') AND NEW.status <> OLD.status
BEGIN
	SELECT RAISE(ABORT, 'order is final');
END;

-- An authorization (RFC 8555 §7.1.4), one per identifier of an order.
-- value is the identifier in normal form without "*." (wildcard says so).
CREATE TABLE authorizations (
	id		INTEGER PRIMARY KEY,
	uid		TEXT NOT NULL UNIQUE,
	order_id	INTEGER NOT NULL REFERENCES orders(id),
	type		TEXT NOT NULL CHECK (type IN ('dns', 'ip')),
	value		TEXT NOT NULL CHECK (length(value) BETWEEN 1 AND 253),
	wildcard	INTEGER NOT NULL DEFAULT 0 CHECK (wildcard IN (0, 1)),
	status		TEXT NOT NULL
			CHECK (status IN ('pending', 'valid', 'invalid', 'deactivated',
			    'expired', 'revoked')),
	expires		INTEGER NOT NULL,
	created		INTEGER NOT NULL,
	UNIQUE (order_id, type, value, wildcard)
);

-- An issued certificate.  Inserted in the transaction that turns its
-- order valid, so that a valid order always has its certificate.  pem is
-- the leaf.  It was issued either by a local CA (ca_id; the chain is its
-- issuing certificate) or by an upstream ACME CA (upstream_id; chain holds
-- the certificates the upstream sent after the leaf, as PEM).  serial is
-- lower-case hex, unique per issuer.  names is the JSON array of its
-- subjectAltName values.  renewal_info is the renewal information
-- (RFC 9773) last served for an upstream certificate: the upstream's as
-- relayed, or ours while the upstream could not be asked; valid until
-- renewal_info_until.
CREATE TABLE certificates (
	id		INTEGER PRIMARY KEY,
	uid		TEXT NOT NULL UNIQUE,
	serial		TEXT NOT NULL
			CHECK (length(serial) BETWEEN 2 AND 40 AND serial NOT GLOB '*[^0-9a-f]*'),
	order_id	INTEGER NOT NULL UNIQUE REFERENCES orders(id),
	account_id	INTEGER NOT NULL REFERENCES accounts(id),
	endpoint_id	INTEGER NOT NULL REFERENCES endpoints(id),
	application_id	INTEGER REFERENCES applications(id),
	template_id	INTEGER REFERENCES templates(id),
	tag		TEXT,
	ca_id		INTEGER REFERENCES cas(id),
	upstream_id	INTEGER REFERENCES upstreams(id),
	names		TEXT NOT NULL CHECK (json_valid(names)),
	key_type	TEXT NOT NULL,
	not_before	INTEGER NOT NULL,
	not_after	INTEGER NOT NULL,
	pem		TEXT NOT NULL CHECK (pem LIKE '-----BEGIN CERTIFICATE-----%'),
	chain		TEXT CHECK (chain IS NULL OR chain LIKE '-----BEGIN CERTIFICATE-----%'),
	renewal_info	TEXT CHECK (renewal_info IS NULL OR json_valid(renewal_info)),
	renewal_info_until INTEGER,
	status		TEXT NOT NULL DEFAULT 'valid'
			CHECK (status IN ('valid', 'revoked')),
	revoked		INTEGER,
	reason		INTEGER,
	created		INTEGER NOT NULL,
	CHECK ((ca_id IS NULL) <> (upstream_id IS NULL)),
	CHECK ((chain IS NULL) = (upstream_id IS NULL)),
	CHECK (renewal_info IS NULL OR upstream_id IS NOT NULL),
	CHECK ((renewal_info IS NULL) = (renewal_info_until IS NULL))
);
CREATE UNIQUE INDEX certificates_serial
    ON certificates(serial, ifnull(ca_id, 0), ifnull(upstream_id, 0));
CREATE INDEX certificates_endpoint ON certificates(endpoint_id);
CREATE INDEX certificates_not_after ON certificates(not_after);

-- An upstream ACME CA (acme-upstream(8)) that templates may issue from.
-- acme-fcgi orders there with an account of its own, whose private key is
-- the file account_key (absolute name, mode 0600): the key never enters
-- the database.  account_url is NULL until the account is registered.
-- eab_kid and eab_hmac are the upstream's External Account Binding (both
-- or neither), contact one mailto: URL, profile an ACME profile name,
-- preferred_chain the issuer CN of the chain to prefer.  A removed
-- upstream stays, for the orders and certificates that name it.
CREATE TABLE upstreams (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE
			CHECK (length(name) BETWEEN 1 AND 63 AND name NOT GLOB '*[^a-z0-9_-]*'
			    AND substr(name, 1, 1) GLOB '[a-z0-9]'),
	directory	TEXT NOT NULL CHECK (length(directory) BETWEEN 9 AND 2048
			    AND substr(directory, 1, 8) = 'https://'),
	eab_kid		TEXT CHECK (eab_kid IS NULL OR (length(eab_kid) BETWEEN 1 AND 256
			    AND eab_kid NOT GLOB '*[^A-Za-z0-9._~:+/=-]*')),
	eab_hmac	TEXT CHECK (eab_hmac IS NULL OR (length(eab_hmac) BETWEEN 22 AND 512
			    AND eab_hmac NOT GLOB '*[^A-Za-z0-9_=-]*')),
	ca_bundle	TEXT CHECK (ca_bundle IS NULL OR ca_bundle LIKE '/%'),
	contact		TEXT CHECK (contact IS NULL OR (substr(contact, 1, 7) = 'mailto:'
			    AND length(contact) <= 320)),
	profile		TEXT CHECK (profile IS NULL OR (length(profile) BETWEEN 1 AND 64
			    AND profile NOT GLOB '*[^A-Za-z0-9._-]*')),
	preferred_chain	TEXT CHECK (preferred_chain IS NULL
			    OR length(preferred_chain) BETWEEN 1 AND 256),
	key_type	TEXT NOT NULL
			CHECK (key_type IN ('ec256', 'ec384', 'rsa2048', 'rsa3072', 'rsa4096')),
	account_key	TEXT NOT NULL CHECK (account_key LIKE '/%'),
	account_url	TEXT CHECK (account_url IS NULL
			    OR substr(account_url, 1, 8) = 'https://'),
	status		TEXT NOT NULL DEFAULT 'active'
			CHECK (status IN ('active', 'removed')),
	created		INTEGER NOT NULL,
	removed		INTEGER,
	CHECK ((eab_kid IS NULL) = (eab_hmac IS NULL)),
	CHECK ((status = 'removed') = (removed IS NOT NULL))
);

CREATE TRIGGER upstreams_removal_permanent
BEFORE UPDATE OF status ON upstreams
WHEN OLD.status = 'removed' AND NEW.status <> 'removed'
BEGIN
	SELECT RAISE(ABORT, 'upstream removal is permanent');
END;

-- A template keeps its upstream: it cannot be removed under it.
CREATE TRIGGER upstreams_removal_unused
BEFORE UPDATE OF status ON upstreams
WHEN NEW.status = 'removed'
    AND EXISTS (SELECT 1 FROM templates WHERE upstream_id = NEW.id)
BEGIN
	SELECT RAISE(ABORT, 'upstream is used by a template');
END;

-- A managed challenge (acme-managed-challenge(8)): how acme-fcgi itself
-- answers an upstream CA's challenge for the names its rules match.  Each
-- solver's settings are columns of their own, set for that solver only:
-- hook, an absolute program name (run with separate arguments, never
-- through a shell); rfc2136, the server, port, TSIG key file and optional
-- zone of a dynamic update; webroot, the directory below which the http-01
-- file is written.  propagation_wait is how many seconds to wait after a
-- DNS change, propagation_check whether to ask the zone's authoritative
-- servers until they all answer with the record.  A removed managed
-- challenge stays, for the EAB keys that list it: they may no longer use it.
CREATE TABLE managed_challenges (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE
			CHECK (length(name) BETWEEN 1 AND 63 AND name NOT GLOB '*[^a-z0-9_-]*'
			    AND substr(name, 1, 1) GLOB '[a-z0-9]'),
	type		TEXT NOT NULL CHECK (type IN ('dns-01', 'http-01')),
	solver		TEXT NOT NULL CHECK (solver IN ('rfc2136', 'hook', 'webroot')),
	hook		TEXT CHECK (hook IS NULL OR hook LIKE '/%'),
	server		TEXT CHECK (server IS NULL OR (length(server) BETWEEN 1 AND 253
			    AND server NOT GLOB '*[^A-Za-z0-9.:-]*')),
	port		INTEGER CHECK (port IS NULL OR port BETWEEN 1 AND 65535),
	tsig_key	TEXT CHECK (tsig_key IS NULL OR tsig_key LIKE '/%'),
	zone		TEXT CHECK (zone IS NULL OR (length(zone) BETWEEN 1 AND 253
			    AND zone NOT GLOB '*[^a-z0-9.-]*')),
	webroot		TEXT CHECK (webroot IS NULL OR webroot LIKE '/%'),
	propagation_wait INTEGER NOT NULL DEFAULT 0
			CHECK (propagation_wait BETWEEN 0 AND 3600),
	propagation_check INTEGER NOT NULL DEFAULT 0
			CHECK (propagation_check IN (0, 1)),
	status		TEXT NOT NULL DEFAULT 'active'
			CHECK (status IN ('active', 'removed')),
	created		INTEGER NOT NULL,
	removed		INTEGER,
	CHECK ((solver = 'hook') = (hook IS NOT NULL)),
	CHECK ((solver = 'rfc2136') = (server IS NOT NULL)
	    AND (solver = 'rfc2136') = (port IS NOT NULL)
	    AND (solver = 'rfc2136') = (tsig_key IS NOT NULL)
	    AND (zone IS NULL OR solver = 'rfc2136')),
	CHECK ((solver = 'webroot') = (webroot IS NOT NULL)),
	CHECK (solver = 'hook' OR (solver = 'rfc2136') = (type = 'dns-01')),
	CHECK (type = 'dns-01' OR (propagation_wait = 0 AND propagation_check = 0)),
	CHECK ((status = 'removed') = (removed IS NOT NULL))
);

CREATE TRIGGER managed_challenges_removal_permanent
BEFORE UPDATE OF status ON managed_challenges
WHEN OLD.status = 'removed' AND NEW.status <> 'removed'
BEGIN
	SELECT RAISE(ABORT, 'managed challenge removal is permanent');
END;

-- The names a managed challenge answers for: "host.example.com" or
-- "*.example.com" (every name below), in the normal form tools/acme-check
-- prints, as template rules.
CREATE TABLE managed_challenge_rules (
	managed_challenge_id INTEGER NOT NULL REFERENCES managed_challenges(id),
	rule		TEXT NOT NULL CHECK (length(rule) BETWEEN 1 AND 253),
	PRIMARY KEY (managed_challenge_id, rule)
) WITHOUT ROWID;

-- The managed challenges an EAB key's accounts may use (seed 004 ties a
-- principal to its challenges).  A key with no row here may use every
-- active one; a key whose listed ones are all removed may use none.
CREATE TABLE eab_key_challenges (
	eab_key_id	INTEGER NOT NULL REFERENCES eab_keys(id),
	managed_challenge_id INTEGER NOT NULL REFERENCES managed_challenges(id),
	PRIMARY KEY (eab_key_id, managed_challenge_id)
) WITHOUT ROWID;
CREATE INDEX eab_key_challenges_challenge ON eab_key_challenges(managed_challenge_id);

CREATE TRIGGER eab_key_challenges_active
BEFORE INSERT ON eab_key_challenges
WHEN (SELECT status FROM managed_challenges WHERE id = NEW.managed_challenge_id) <> 'active'
BEGIN
	SELECT RAISE(ABORT, 'managed challenge is removed');
END;

-- A template issues from an active upstream only.
CREATE TRIGGER templates_upstream_active
BEFORE INSERT ON templates
WHEN NEW.upstream_id IS NOT NULL
    AND (SELECT status FROM upstreams WHERE id = NEW.upstream_id) <> 'active'
BEGIN
	SELECT RAISE(ABORT, 'upstream is removed');
END;

-- Background work (core/job.h): one row per piece of long work, such as
-- placing an order upstream (kind upstream_order, ref_id the order's id)
-- or forwarding a revocation there (upstream_revoke, the certificate's).
-- Whichever process runs the job loop claims a due row with a lease
-- (lease_owner "pid@host", until lease_until); a runner that dies leaves
-- its lease to expire and another claims the row again, so work survives
-- restarts.  attempts counts claims; after max_attempts, or at deadline,
-- the job is failed, so that nothing waits forever.  UNIQUE (kind, ref_id):
-- the same work is never queued twice.
CREATE TABLE jobs (
	id		INTEGER PRIMARY KEY,
	kind		TEXT NOT NULL CHECK (kind IN ('upstream_order', 'upstream_revoke')),
	ref_id		INTEGER NOT NULL,
	state		TEXT NOT NULL DEFAULT 'queued'
			CHECK (state IN ('queued', 'running', 'done', 'failed')),
	attempts	INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
	max_attempts	INTEGER NOT NULL CHECK (max_attempts BETWEEN 1 AND 1000),
	next_run	INTEGER NOT NULL,
	lease_owner	TEXT CHECK (lease_owner IS NULL
			    OR length(lease_owner) BETWEEN 3 AND 128),
	lease_until	INTEGER,
	deadline	INTEGER NOT NULL,
	last_error	TEXT CHECK (last_error IS NULL OR length(last_error) <= 1024),
	created		INTEGER NOT NULL,
	updated		INTEGER NOT NULL,
	UNIQUE (kind, ref_id),
	CHECK ((state = 'running') = (lease_owner IS NOT NULL)
	    AND (lease_owner IS NULL) = (lease_until IS NULL))
);
CREATE INDEX jobs_due ON jobs(state, next_run);

-- An order that an upstream ACME CA fills (managed ACME, core/upstream.h):
-- the client's CSR (DER) as finalize received it, and the URL of the order
-- placed upstream for it once there is one, so that a job taken over after
-- a restart continues that order rather than placing another.
CREATE TABLE upstream_orders (
	order_id	INTEGER PRIMARY KEY REFERENCES orders(id),
	upstream_id	INTEGER NOT NULL REFERENCES upstreams(id),
	csr		BLOB NOT NULL CHECK (length(csr) BETWEEN 1 AND 32768),
	url		TEXT CHECK (url IS NULL OR (length(url) <= 2048
			    AND substr(url, 1, 8) = 'https://')),
	created		INTEGER NOT NULL
);
