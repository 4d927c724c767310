-- Version 3: upstream ACME CAs, managed challenges, the managed challenges
-- of EAB keys, and templates that issue from an upstream (issue 4).  The
-- new tables first: the rebuilt templates table refers to upstreams.

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

-- templates.ca_id was NOT NULL; SQLite cannot relax that in place, so the
-- table is rebuilt.  This runs in the migration's transaction with foreign
-- keys on.  Deferred, the rows of endpoints, template_rules and
-- certificates that refer to a template count as violations once the old
-- table is dropped, and are resolved again as each template is copied back
-- with its id: COMMIT fails, and nothing changes, if a single one were lost.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE templates_v2 AS SELECT * FROM templates;
DROP TABLE templates;

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

INSERT INTO templates (id, name, ca_id, upstream_id, allow_wildcard, key_types,
    validity_days, max_validity_days, eku, created)
SELECT id, name, ca_id, NULL, allow_wildcard, key_types, validity_days,
    max_validity_days, eku, created FROM temp.templates_v2;
DROP TABLE temp.templates_v2;

-- A template issues from an active upstream only.
CREATE TRIGGER templates_upstream_active
BEFORE INSERT ON templates
WHEN NEW.upstream_id IS NOT NULL
    AND (SELECT status FROM upstreams WHERE id = NEW.upstream_id) <> 'active'
BEGIN
	SELECT RAISE(ABORT, 'upstream is removed');
END;

-- Background work (core/job.h): one row per piece of long work, such as
-- placing an order upstream (kind upstream_order, ref_id the order's id).
-- Whichever process runs the job loop claims a due row with a lease
-- (lease_owner "pid@host", until lease_until); a runner that dies leaves
-- its lease to expire and another claims the row again, so work survives
-- restarts.  attempts counts claims; after max_attempts, or at deadline,
-- the job is failed, so that nothing waits forever.  UNIQUE (kind, ref_id):
-- the same work is never queued twice.
CREATE TABLE jobs (
	id		INTEGER PRIMARY KEY,
	kind		TEXT NOT NULL CHECK (kind IN ('upstream_order')),
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
