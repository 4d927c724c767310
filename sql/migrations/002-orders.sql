-- Version 2: orders, their authorizations, and the certificates issued
-- for them (policy issuance).  Tables only: nothing existing changes.

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
