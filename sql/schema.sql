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
-- by which CA, with which keys, for how long.  Rules are in template_rules.
CREATE TABLE templates (
	id		INTEGER PRIMARY KEY,
	name		TEXT NOT NULL UNIQUE
			CHECK (length(name) BETWEEN 1 AND 63 AND name NOT GLOB '*[^a-z0-9_-]*'
			    AND substr(name, 1, 1) GLOB '[a-z0-9]'),
	ca_id		INTEGER NOT NULL REFERENCES cas(id),
	allow_wildcard	INTEGER NOT NULL DEFAULT 0 CHECK (allow_wildcard IN (0, 1)),
	key_types	TEXT NOT NULL
			CHECK (key_types <> '' AND key_types NOT GLOB '*[^a-z0-9,]*'),
	validity_days	INTEGER NOT NULL CHECK (validity_days BETWEEN 1 AND 3650),
	max_validity_days INTEGER NOT NULL
			CHECK (max_validity_days BETWEEN validity_days AND 3650),
	eku		TEXT NOT NULL
			CHECK (eku IN ('serverAuth', 'clientAuth', 'serverAuth,clientAuth',
			    'clientAuth,serverAuth')),
	created		INTEGER NOT NULL
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
-- the leaf; the chain comes from its CA.  serial is lower-case hex.
-- names is the JSON array of its subjectAltName values.
CREATE TABLE certificates (
	id		INTEGER PRIMARY KEY,
	uid		TEXT NOT NULL UNIQUE,
	serial		TEXT NOT NULL UNIQUE
			CHECK (length(serial) BETWEEN 2 AND 40 AND serial NOT GLOB '*[^0-9a-f]*'),
	order_id	INTEGER NOT NULL UNIQUE REFERENCES orders(id),
	account_id	INTEGER NOT NULL REFERENCES accounts(id),
	endpoint_id	INTEGER NOT NULL REFERENCES endpoints(id),
	application_id	INTEGER REFERENCES applications(id),
	template_id	INTEGER REFERENCES templates(id),
	tag		TEXT,
	ca_id		INTEGER NOT NULL REFERENCES cas(id),
	names		TEXT NOT NULL CHECK (json_valid(names)),
	key_type	TEXT NOT NULL,
	not_before	INTEGER NOT NULL,
	not_after	INTEGER NOT NULL,
	pem		TEXT NOT NULL CHECK (pem LIKE '-----BEGIN CERTIFICATE-----%'),
	status		TEXT NOT NULL DEFAULT 'valid'
			CHECK (status IN ('valid', 'revoked')),
	revoked		INTEGER,
	reason		INTEGER,
	created		INTEGER NOT NULL
);
CREATE INDEX certificates_endpoint ON certificates(endpoint_id);
CREATE INDEX certificates_not_after ON certificates(not_after);
