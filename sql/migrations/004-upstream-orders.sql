-- Version 4: certificates issued by an upstream ACME CA (managed ACME,
-- issue 4), the orders placed upstream for them, and the jobs that forward
-- their revocation there.
--
-- certificates.ca_id was NOT NULL and serial unique across every issuer;
-- the table is rebuilt as templates was in version 3 (see there): rows are
-- copied out and back with their ids, with foreign keys deferred to COMMIT.
PRAGMA defer_foreign_keys = ON;
CREATE TEMP TABLE certificates_v3 AS SELECT * FROM certificates;
DROP TABLE certificates;

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

INSERT INTO certificates (id, uid, serial, order_id, account_id, endpoint_id,
    application_id, template_id, tag, ca_id, upstream_id, names, key_type,
    not_before, not_after, pem, chain, renewal_info, renewal_info_until,
    status, revoked, reason, created)
SELECT id, uid, serial, order_id, account_id, endpoint_id, application_id,
    template_id, tag, ca_id, NULL, names, key_type, not_before, not_after, pem,
    NULL, NULL, NULL, status, revoked, reason, created FROM temp.certificates_v3;
DROP TABLE temp.certificates_v3;

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

-- jobs.kind may also be upstream_revoke (ref_id a certificate's id): the
-- table is rebuilt for its CHECK as certificates is above, rows and ids kept.
CREATE TEMP TABLE jobs_v3 AS SELECT * FROM jobs;
DROP TABLE jobs;

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

INSERT INTO jobs (id, kind, ref_id, state, attempts, max_attempts, next_run,
    lease_owner, lease_until, deadline, last_error, created, updated)
SELECT id, kind, ref_id, state, attempts, max_attempts, next_run, lease_owner,
    lease_until, deadline, last_error, created, updated FROM temp.jobs_v3;
DROP TABLE temp.jobs_v3;

-- The account's unfinished orders, counted for max_pending_orders.
CREATE INDEX orders_unfinished ON orders(account_id, status, expires);
