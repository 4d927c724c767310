/*
 * test_signer.c - the signer process: framing (truncated, oversized, empty
 * and unknown frames are rejected), the request encoding and every
 * rejection of its decoder, the signer's loop over a socketpair, and
 * issuance end to end through a real forked signer with a CA recorded in
 * a temporary database: refusals (unknown, retired, unloadable CA; the
 * profile), the signer killed and restarted, a silent signer killed, and
 * the descriptors it keeps.
 *
 * Like a worker, the test process keeps its own database connection open
 * while signers are forked, and forks one inside a transaction.
 */
#include "autoconfig.h"

#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "buf.h"
#include "ca.h"
#include "db.h"
#include "fixture.h"
#include "key.h"
#include "signer.h"
#include "testutil.h"

/* Offsets in an ISSUE request (signer.h). */
#define OFF_TYPE	0
#define OFF_CA_ID	1
#define OFF_SPKI_LEN	45
#define OFF_SPKI	49

/* CA ids, in the order group_setup() records them. */
#define CA_ACTIVE	1
#define CA_RETIRED	2
#define CA_WRONG_KEY	3
#define CA_TO_RETIRE	4
#define CA_UNKNOWN	99

static time_t		 now;
static struct ca	 root, inter;
static struct key	 leaf_key, other_key;
static gnutls_pubkey_t	 leaf_pub;
static char		 db_path[FIXTURE_PATH_MAX];
static struct db	*parent_db;	/* held open, as a worker holds its own */

static const struct ca_name two_names[] = {
	{ CA_NAME_DNS, "www.example.test" },
	{ CA_NAME_IP, "192.0.2.7" },
};

static char *
pem_of(gnutls_x509_crt_t crt)
{
	gnutls_datum_t	 pem = { NULL, 0 };
	char		*s;

	if (!ca_cert_pem(crt, &pem))
		return NULL;
	s = strndup((const char *)pem.data, pem.size);
	gnutls_free(pem.data);
	return s;
}

static gnutls_pubkey_t
pub_of(const struct key *k)
{
	gnutls_pubkey_t	pub;

	if (gnutls_pubkey_init(&pub) < 0)
		return NULL;
	if (gnutls_pubkey_import_privkey(pub, k->priv, 0, 0) < 0) {
		gnutls_pubkey_deinit(pub);
		return NULL;
	}
	return pub;
}

static int
group_setup(void **state)
{
	char		 key_path[FIXTURE_PATH_MAX], other_path[FIXTURE_PATH_MAX];
	char		 err[256], *pem = NULL;
	gnutls_pubkey_t	 pub = NULL;
	time_t		 nb, na;
	int		 ok = 0;

	if (fixture_group_setup(state) != 0)
		return -1;
	now = time(NULL);
	if (!key_generate(&root.key, KEY_EC256) ||
	    !ca_validity(now, 730, &nb, &na) ||
	    !ca_make_root(&root.key, "CN=Signer Test Root CA", nb, na, &root.cert) ||
	    !key_generate(&inter.key, KEY_EC256) ||
	    (pub = pub_of(&inter.key)) == NULL ||
	    !ca_validity(now, 365, &nb, &na) ||
	    !ca_make_intermediate(&root, pub, "CN=Signer Test Issuing CA", nb, na,
	    &inter.cert) ||
	    !key_generate(&leaf_key, KEY_EC256) ||
	    (leaf_pub = pub_of(&leaf_key)) == NULL ||
	    !key_generate(&other_key, KEY_EC256))
		goto out;
	if (!fixture_path(key_path, sizeof(key_path), fixture_dir, "issuing.key") ||
	    !fixture_path(other_path, sizeof(other_path), fixture_dir, "other.key") ||
	    !fixture_path(db_path, sizeof(db_path), fixture_dir, "acme.db") ||
	    !key_save(&inter.key, key_path) || !key_save(&other_key, other_path) ||
	    (pem = pem_of(inter.cert)) == NULL)
		goto out;
	if ((parent_db = db_open(db_path, 5000, 1, err, sizeof(err))) == NULL) {
		fprintf(stderr, "group_setup: %s\n", err);
		goto out;
	}
	ok = fixture_ca_add(db_path, "active", "active", pem, key_path) &&
	    fixture_ca_add(db_path, "retired", "retired", pem, key_path) &&
	    fixture_ca_add(db_path, "wrong-key", "active", pem, other_path) &&
	    fixture_ca_add(db_path, "to-retire", "active", pem, key_path);
out:
	free(pem);
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	return ok ? 0 : -1;
}

static int
group_teardown(void **state)
{
	db_close(parent_db);
	ca_free(&root);
	ca_free(&inter);
	key_free(&leaf_key);
	key_free(&other_key);
	if (leaf_pub != NULL)
		gnutls_pubkey_deinit(leaf_pub);
	return fixture_group_teardown(state);
}

/*
 * A leaf for names, valid for 30 days from now, with a fresh serial.  The
 * signer checks the validity against its own clock, which may have moved
 * on to the next second: a minute less of backdating keeps the check from
 * failing by chance.
 */
static void
leaf_init(struct ca_leaf *l, const struct ca_name *names, size_t n)
{
	memset(l, 0, sizeof(*l));
	l->pub = leaf_pub;
	l->names = names;
	l->nnames = n;
	l->eku = CA_EKU_SERVER_AUTH;
	assert_true(ca_validity(time(NULL), 30, &l->not_before, &l->not_after));
	l->not_before += 60;
	assert_true(ca_serial_new(l->serial));
}

/* The encoding of a valid request for two_names into b. */
static void
encode_valid(struct buf *b)
{
	struct ca_leaf	l;

	leaf_init(&l, two_names, nitems(two_names));
	assert_true(signer_req_encode(b, CA_ACTIVE, &l));
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Offset of the name count in the encoding p. */
static size_t
off_count(const uint8_t *p)
{
	return OFF_SPKI + get_be32(p + OFF_SPKI_LEN);
}

/* signer_req_decode() refuses p with a reason containing why. */
static void
assert_decode_fails(const void *p, size_t len, const char *why)
{
	struct signer_req	*r = calloc(1, sizeof(*r));

	assert_non_null(r);
	assert_false(signer_req_decode(p, len, r));
	assert_null(r->leaf.pub);
	assert_non_null(r->error);
	assert_contains(r->error, why);
	free(r);
}

/* --- frames ---------------------------------------------------------------- */

static void
pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
}

static void
send_raw(int fd, const void *p, size_t len)
{
	assert_int_equal(send(fd, p, len, MSG_NOSIGNAL), (ssize_t)len);
}

static void
test_frame_round_trip(void **state)
{
	struct buf	 b = { NULL, 0, 0, 0 };
	uint8_t		*big;
	int		 sv[2];

	(void)state;
	pair(sv);
	assert_true(signer_frame_write(sv[0], "hello", 5, 1000));
	assert_int_equal(signer_frame_read(sv[1], &b, 1000), 1);
	assert_int_equal(b.len, 5);
	assert_memory_equal(b.p, "hello", 5);
	/* The largest frame passes whole. */
	assert_non_null(big = malloc(SIGNER_FRAME_MAX));
	for (size_t i = 0; i < SIGNER_FRAME_MAX; i++)
		big[i] = (uint8_t)(i * 7);
	assert_true(signer_frame_write(sv[0], big, SIGNER_FRAME_MAX, 1000));
	assert_int_equal(signer_frame_read(sv[1], &b, 1000), 1);
	assert_int_equal(b.len, SIGNER_FRAME_MAX);
	assert_memory_equal(b.p, big, SIGNER_FRAME_MAX);
	/* The end of the stream between frames is no error. */
	close(sv[0]);
	assert_int_equal(signer_frame_read(sv[1], &b, 1000), 0);
	close(sv[1]);
	free(big);
	buf_free(&b);
}

static void
test_frame_write_rejects_sizes(void **state)
{
	uint8_t	x;
	int	sv[2];

	(void)state;
	pair(sv);
	assert_false(signer_frame_write(sv[0], "", 0, 1000));
	assert_false(signer_frame_write(sv[0], &x, SIGNER_FRAME_MAX + 1, 1000));
	/* Nothing was sent. */
	assert_int_equal(recv(sv[1], &x, 1, MSG_DONTWAIT), -1);
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
	close(sv[0]);
	close(sv[1]);
}

/* The reader of the bytes p, then the end of the stream, gets -1. */
static void
assert_read_fails(const void *p, size_t len)
{
	struct buf	b = { NULL, 0, 0, 0 };
	int		sv[2];

	pair(sv);
	if (len > 0)
		send_raw(sv[0], p, len);
	shutdown(sv[0], SHUT_WR);
	assert_int_equal(signer_frame_read(sv[1], &b, 1000), -1);
	close(sv[0]);
	close(sv[1]);
	buf_free(&b);
}

static void
test_frame_truncated(void **state)
{
	uint8_t	f[4 + 10] = { 0 };

	(void)state;
	/* The header announces 100 bytes; 10 come. */
	put_be32(f, 100);
	assert_read_fails(f, sizeof(f));
	/* The header itself is cut. */
	assert_read_fails(f, 2);
	/* Header only. */
	assert_read_fails(f, 4);
}

static void
test_frame_oversized(void **state)
{
	uint8_t	f[4];

	(void)state;
	put_be32(f, SIGNER_FRAME_MAX + 1);
	assert_read_fails(f, sizeof(f));
	put_be32(f, UINT32_MAX);
	assert_read_fails(f, sizeof(f));
}

static void
test_frame_zero_length(void **state)
{
	uint8_t	f[5] = { 0, 0, 0, 0, SIGNER_MSG_ISSUE };

	(void)state;
	assert_read_fails(f, sizeof(f));
}

static void
test_frame_read_timeout(void **state)
{
	struct buf	b = { NULL, 0, 0, 0 };
	uint8_t		f[4];
	int		sv[2];

	(void)state;
	pair(sv);
	/* Nothing comes. */
	assert_int_equal(signer_frame_read(sv[1], &b, 50), -1);
	/* Half a frame comes, and no more. */
	put_be32(f, 10);
	send_raw(sv[0], f, sizeof(f));
	send_raw(sv[0], "abc", 3);
	assert_int_equal(signer_frame_read(sv[1], &b, 50), -1);
	close(sv[0]);
	close(sv[1]);
	buf_free(&b);
}

/* --- requests -------------------------------------------------------------- */

static void
test_req_round_trip(void **state)
{
	struct buf		 b = { NULL, 0, 0, 0 }, again = { NULL, 0, 0, 0 };
	struct signer_req	*r = calloc(1, sizeof(*r));
	struct ca_leaf		 l;
	gnutls_datum_t		 want = { NULL, 0 }, got = { NULL, 0 };

	(void)state;
	assert_non_null(r);
	leaf_init(&l, two_names, nitems(two_names));
	l.eku = CA_EKU_ALL;
	assert_true(signer_req_encode(&b, 42, &l));
	assert_int_equal((uint8_t)b.p[OFF_TYPE], SIGNER_MSG_ISSUE);
	assert_true(signer_req_decode((const uint8_t *)b.p, b.len, r));
	assert_null(r->error);
	assert_int_equal(r->ca_id, 42);
	assert_int_equal(r->leaf.not_before, l.not_before);
	assert_int_equal(r->leaf.not_after, l.not_after);
	assert_int_equal(r->leaf.eku, CA_EKU_ALL);
	assert_memory_equal(r->leaf.serial, l.serial, CA_SERIAL_LEN);
	assert_int_equal(r->leaf.nnames, 2);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(r->leaf.names[i].type, two_names[i].type);
		assert_string_equal(r->leaf.names[i].value, two_names[i].value);
	}
	assert_int_equal(gnutls_pubkey_export2(leaf_pub, GNUTLS_X509_FMT_DER, &want), 0);
	assert_int_equal(gnutls_pubkey_export2(r->leaf.pub, GNUTLS_X509_FMT_DER, &got), 0);
	assert_int_equal(got.size, want.size);
	assert_memory_equal(got.data, want.data, want.size);
	/* The encoding is canonical: the decoded request encodes to the same bytes. */
	assert_true(signer_req_encode(&again, r->ca_id, &r->leaf));
	assert_int_equal(again.len, b.len);
	assert_memory_equal(again.p, b.p, b.len);
	signer_req_free(r);
	signer_req_free(r);	/* idempotent */
	gnutls_free(want.data);
	gnutls_free(got.data);
	buf_free(&b);
	buf_free(&again);
	free(r);
}

static void
test_req_max_names(void **state)
{
	struct ca_name		 names[CA_LEAF_NAMES_MAX];
	char			 values[CA_LEAF_NAMES_MAX][CA_DNS_NAME_MAX + 1];
	struct buf		 b = { NULL, 0, 0, 0 };
	struct signer_req	*r = calloc(1, sizeof(*r));
	struct ca_leaf		 l;

	(void)state;
	assert_non_null(r);
	/* 100 names of 253 characters: the largest request fits a frame. */
	for (size_t i = 0; i < CA_LEAF_NAMES_MAX; i++) {
		memset(values[i], 'a', CA_DNS_NAME_MAX);
		snprintf(values[i], 4, "%03zu", i);
		values[i][3] = 'a';
		values[i][CA_DNS_NAME_MAX] = '\0';
		names[i].type = CA_NAME_DNS;
		names[i].value = values[i];
	}
	leaf_init(&l, names, CA_LEAF_NAMES_MAX);
	assert_true(signer_req_encode(&b, CA_ACTIVE, &l));
	assert_true(b.len <= SIGNER_FRAME_MAX);
	assert_true(signer_req_decode((const uint8_t *)b.p, b.len, r));
	assert_int_equal(r->leaf.nnames, CA_LEAF_NAMES_MAX);
	assert_string_equal(r->leaf.names[99].value, values[99]);
	signer_req_free(r);
	buf_free(&b);
	free(r);
}

static void
test_req_encode_rejects(void **state)
{
	static char		 long_name[CA_DNS_NAME_MAX + 2];
	struct ca_name		 bad[1];
	struct buf		 b = { NULL, 0, 0, 0 };
	struct ca_leaf		 l;

	(void)state;
	buf_puts(&b, "x");
	leaf_init(&l, two_names, 0);
	assert_false(signer_req_encode(&b, CA_ACTIVE, &l));
	leaf_init(&l, two_names, CA_LEAF_NAMES_MAX + 1);
	assert_false(signer_req_encode(&b, CA_ACTIVE, &l));
	memset(long_name, 'a', CA_DNS_NAME_MAX + 1);
	bad[0] = (struct ca_name){ CA_NAME_DNS, long_name };
	leaf_init(&l, bad, 1);
	assert_false(signer_req_encode(&b, CA_ACTIVE, &l));
	bad[0] = (struct ca_name){ CA_NAME_DNS, "" };
	assert_false(signer_req_encode(&b, CA_ACTIVE, &l));
	bad[0] = (struct ca_name){ CA_NAME_DNS, NULL };
	assert_false(signer_req_encode(&b, CA_ACTIVE, &l));
	bad[0] = (struct ca_name){ CA_NAME_TYPE__MAX, "a.test" };
	assert_false(signer_req_encode(&b, CA_ACTIVE, &l));
	/* Nothing was appended. */
	assert_int_equal(b.len, 1);
	buf_free(&b);
}

static void
test_req_unknown_type(void **state)
{
	struct buf	b = { NULL, 0, 0, 0 };

	(void)state;
	encode_valid(&b);
	b.p[OFF_TYPE] = 0;
	assert_decode_fails(b.p, b.len, "unknown request type");
	b.p[OFF_TYPE] = 2;
	assert_decode_fails(b.p, b.len, "unknown request type");
	b.p[OFF_TYPE] = (char)0xff;
	assert_decode_fails(b.p, b.len, "unknown request type");
	assert_decode_fails("", 0, "empty");
	buf_free(&b);
}

static void
test_req_truncated(void **state)
{
	struct buf	b = { NULL, 0, 0, 0 };

	(void)state;
	encode_valid(&b);
	/* Every proper prefix of a valid request. */
	for (size_t len = 1; len < b.len; len++)
		assert_decode_fails(b.p, len, "");
	assert_decode_fails(b.p, OFF_SPKI, "truncated");
	assert_decode_fails(b.p, b.len - 1, "truncated");
	buf_free(&b);
}

static void
test_req_trailing_bytes(void **state)
{
	struct buf	b = { NULL, 0, 0, 0 };

	(void)state;
	encode_valid(&b);
	buf_append(&b, "", 1);
	assert_decode_fails(b.p, b.len, "trailing bytes");
	buf_free(&b);
}

static void
test_req_bad_ca_id(void **state)
{
	struct buf	b = { NULL, 0, 0, 0 };

	(void)state;
	encode_valid(&b);
	memset(b.p + OFF_CA_ID, 0, 8);
	assert_decode_fails(b.p, b.len, "CA id");
	memset(b.p + OFF_CA_ID, 0xff, 8);	/* -1 */
	assert_decode_fails(b.p, b.len, "CA id");
	buf_free(&b);
}

static void
test_req_name_count(void **state)
{
	struct buf	b = { NULL, 0, 0, 0 };
	size_t		c;

	(void)state;
	encode_valid(&b);
	c = off_count((const uint8_t *)b.p);
	/* No names: the request ends with its count. */
	put_be32((uint8_t *)b.p + c, 0);
	assert_decode_fails(b.p, c + 4, "name count out of range");
	put_be32((uint8_t *)b.p + c, CA_LEAF_NAMES_MAX + 1);
	assert_decode_fails(b.p, b.len, "name count out of range");
	put_be32((uint8_t *)b.p + c, UINT32_MAX);
	assert_decode_fails(b.p, b.len, "name count out of range");
	/* More names announced than sent. */
	put_be32((uint8_t *)b.p + c, 3);
	assert_decode_fails(b.p, b.len, "truncated");
	buf_free(&b);
}

static void
test_req_bad_names(void **state)
{
	static char	 name[CA_DNS_NAME_MAX + 1];
	struct ca_name	 one[1] = { { CA_NAME_DNS, name } };
	struct ca_leaf		 l;
	struct buf		 b = { NULL, 0, 0, 0 };
	struct signer_req	*r;
	uint8_t			*p;
	size_t			 n;

	(void)state;
	memset(name, 'a', CA_DNS_NAME_MAX);
	leaf_init(&l, one, 1);
	assert_true(signer_req_encode(&b, CA_ACTIVE, &l));
	p = (uint8_t *)b.p;
	n = off_count(p) + 4;	/* the name's type, then its length */

	/* 254 bytes: one more than a DNS name may have. */
	p[n + 1] = 0;
	p[n + 2] = CA_DNS_NAME_MAX + 1;
	buf_append(&b, "a", 1);
	p = (uint8_t *)b.p;
	assert_decode_fails(b.p, b.len, "name length out of range");
	/* Back to 253: accepted. */
	b.len--;
	p[n + 2] = CA_DNS_NAME_MAX;
	assert_non_null(r = calloc(1, sizeof(*r)));
	assert_true(signer_req_decode(p, b.len, r));
	signer_req_free(r);
	free(r);
	/* Empty. */
	p[n + 1] = 0;
	p[n + 2] = 0;
	assert_decode_fails(b.p, n + 3, "name length out of range");
	p[n + 2] = CA_DNS_NAME_MAX;
	/* A NUL inside. */
	p[n + 3 + 10] = '\0';
	assert_decode_fails(b.p, b.len, "NUL");
	p[n + 3 + 10] = 'a';
	/* Unknown name types. */
	p[n] = CA_NAME_TYPE__MAX;
	assert_decode_fails(b.p, b.len, "unknown name type");
	p[n] = 0xff;
	assert_decode_fails(b.p, b.len, "unknown name type");
	buf_free(&b);
}

static void
test_req_bad_spki(void **state)
{
	struct buf	 b = { NULL, 0, 0, 0 }, c = { NULL, 0, 0, 0 };
	uint8_t		*p;
	uint32_t	 spki_len;

	(void)state;
	encode_valid(&b);
	p = (uint8_t *)b.p;
	spki_len = get_be32(p + OFF_SPKI_LEN);
	/* Not DER: the outer SEQUENCE tag broken. */
	p[OFF_SPKI] ^= 0x01;
	assert_decode_fails(b.p, b.len, "SubjectPublicKeyInfo");
	p[OFF_SPKI] ^= 0x01;
	/* Garbage of the same length. */
	buf_append(&c, b.p, b.len);
	memset(c.p + OFF_SPKI, 0x41, spki_len);
	assert_decode_fails(c.p, c.len, "SubjectPublicKeyInfo");
	/* Lengths out of range or past the end. */
	put_be32(p + OFF_SPKI_LEN, 0);
	assert_decode_fails(b.p, b.len, "public key length");
	put_be32(p + OFF_SPKI_LEN, SIGNER_SPKI_MAX + 1);
	assert_decode_fails(b.p, b.len, "public key length");
	put_be32(p + OFF_SPKI_LEN, (uint32_t)(b.len - OFF_SPKI + 1));
	assert_decode_fails(b.p, b.len, "truncated");
	/* One byte short: the key is cut, and what follows shifts. */
	put_be32(p + OFF_SPKI_LEN, spki_len - 1);
	assert_decode_fails(b.p, b.len, "");
	buf_free(&b);
	buf_free(&c);
}

/* --- the signer's loop ----------------------------------------------------- */

/* Forks a child that serves sv[1] with its own connection; returns its pid. */
static pid_t
serve_child(int sv[2])
{
	struct db	*db;
	char		 err[256];
	pid_t		 pid;
	int		 ok;

	assert_true((pid = fork()) >= 0);
	if (pid == 0) {
		close(sv[0]);
		if ((db = db_open(db_path, 5000, 0, err, sizeof(err))) == NULL)
			_exit(2);
		ok = signer_serve(sv[1], db);
		db_close(db);
		_exit(ok ? 0 : 1);
	}
	close(sv[1]);
	return pid;
}

static int
exit_status(pid_t pid)
{
	int	status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void
test_serve_replies_and_goes_on(void **state)
{
	struct buf		 b = { NULL, 0, 0, 0 };
	gnutls_x509_crt_t	 crt;
	gnutls_datum_t		 der;
	uint8_t			 unknown = 2;
	int			 sv[2];
	pid_t			 pid;

	(void)state;
	pair(sv);
	pid = serve_child(sv);
	/* An unknown request type gets an error reply... */
	assert_true(signer_frame_write(sv[0], &unknown, 1, 5000));
	assert_int_equal(signer_frame_read(sv[0], &b, 5000), 1);
	assert_int_equal((uint8_t)b.p[0], SIGNER_ERROR);
	assert_contains(b.p + 1, "unknown request type");
	/* ...and the connection serves the next request. */
	buf_reset(&b);
	encode_valid(&b);
	assert_true(signer_frame_write(sv[0], b.p, b.len, 5000));
	assert_int_equal(signer_frame_read(sv[0], &b, 5000), 1);
	assert_int_equal((uint8_t)b.p[0], SIGNER_OK);
	der.data = (unsigned char *)b.p + 1;
	der.size = (unsigned)(b.len - 1);
	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	assert_int_equal(gnutls_x509_crt_import(crt, &der, GNUTLS_X509_FMT_DER), 0);
	gnutls_x509_crt_deinit(crt);
	/* The end of the stream ends the signer cleanly. */
	close(sv[0]);
	assert_int_equal(exit_status(pid), 0);
	buf_free(&b);
}

/* The signer drops the connection on the bytes p and exits with 1. */
static void
assert_serve_drops(const void *p, size_t len, int shut)
{
	uint8_t	x;
	int	sv[2];
	pid_t	pid;

	pair(sv);
	pid = serve_child(sv);
	send_raw(sv[0], p, len);
	if (shut)
		shutdown(sv[0], SHUT_WR);
	/* It closes without a reply. */
	assert_int_equal(recv(sv[0], &x, 1, 0), 0);
	assert_int_equal(exit_status(pid), 1);
	close(sv[0]);
}

static void
test_serve_drops_bad_frames(void **state)
{
	uint8_t	f[4 + 10] = { 0 };

	(void)state;
	put_be32(f, SIGNER_FRAME_MAX + 1);
	assert_serve_drops(f, 4, 0);
	put_be32(f, 0);
	assert_serve_drops(f, 4, 0);
	put_be32(f, 100);
	assert_serve_drops(f, sizeof(f), 1);
}

/* --- end to end through a forked signer ------------------------------------ */

/* Issues leaf by CA ca_id through s; the certificate, parsed. */
static gnutls_x509_crt_t
issue_ok(struct signer *s, int64_t ca_id, const struct ca_leaf *l)
{
	gnutls_datum_t		der = { NULL, 0 };
	gnutls_x509_crt_t	crt;
	char			err[256] = "";

	if (!signer_issue(s, ca_id, l, &der, err, sizeof(err)))
		fail_msg("signer_issue: %s", err);
	assert_int_equal(gnutls_x509_crt_init(&crt), 0);
	assert_int_equal(gnutls_x509_crt_import(crt, &der, GNUTLS_X509_FMT_DER), 0);
	gnutls_free(der.data);
	return crt;
}

/* signer_issue() refuses, with a reason containing why. */
static void
assert_issue_fails(struct signer *s, int64_t ca_id, const struct ca_leaf *l,
    const char *why)
{
	unsigned char	x = 'x';
	gnutls_datum_t	der = { &x, 1 };	/* to be overwritten */
	char		err[256] = "";

	assert_false(signer_issue(s, ca_id, l, &der, err, sizeof(err)));
	assert_null(der.data);
	assert_int_equal(der.size, 0);
	assert_contains(err, why);
}

static void
test_issue(void **state)
{
	gnutls_x509_crt_t	 crt, chain[2];
	struct signer		*s;
	struct ca_leaf		 l;
	unsigned char		 serial[64];
	char			 buf[256];
	size_t			 len;
	unsigned		 status = 0xffff, type;
	pid_t			 pid;

	(void)state;
	assert_non_null(s = signer_new(db_path, 5000));
	/* Nothing runs until it is needed. */
	assert_int_equal(signer_pid(s), 0);
	leaf_init(&l, two_names, nitems(two_names));
	crt = issue_ok(s, CA_ACTIVE, &l);
	assert_true((pid = signer_pid(s)) > 0);

	len = sizeof(serial);
	assert_int_equal(gnutls_x509_crt_get_serial(crt, serial, &len), 0);
	assert_int_equal(len, CA_SERIAL_LEN);
	assert_memory_equal(serial, l.serial, CA_SERIAL_LEN);
	len = sizeof(buf);
	assert_int_equal(gnutls_x509_crt_get_subject_alt_name2(crt, 0, buf, &len,
	    &type, NULL), GNUTLS_SAN_DNSNAME);
	assert_string_equal(buf, "www.example.test");
	assert_true(gnutls_x509_crt_check_issuer(crt, inter.cert));
	chain[0] = crt;
	chain[1] = inter.cert;
	assert_int_equal(gnutls_x509_crt_list_verify(chain, 2, &root.cert, 1,
	    NULL, 0, 0, &status), 0);
	assert_int_equal(status, 0);
	gnutls_x509_crt_deinit(crt);

	/* The same signer, its CA loaded, serves the next request. */
	leaf_init(&l, two_names, 1);
	gnutls_x509_crt_deinit(issue_ok(s, CA_ACTIVE, &l));
	assert_int_equal(signer_pid(s), pid);

	/* signer_free() reaps it. */
	signer_free(s);
	assert_int_equal(waitpid(pid, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	signer_free(NULL);
}

static void
test_issue_refusals(void **state)
{
	struct signer	*s;
	struct ca_leaf	 l;
	pid_t		 pid;

	(void)state;
	assert_non_null(s = signer_new(db_path, 5000));
	leaf_init(&l, two_names, nitems(two_names));
	assert_issue_fails(s, CA_RETIRED, &l, "retired");
	pid = signer_pid(s);
	assert_issue_fails(s, CA_UNKNOWN, &l, "unknown CA");
	assert_issue_fails(s, CA_WRONG_KEY, &l, "could not be loaded");
	/* The profile is the signer's: validity past the CA's own. */
	l.not_after = now + 400 * 86400;
	assert_issue_fails(s, CA_ACTIVE, &l, "profile");
	leaf_init(&l, two_names, nitems(two_names));
	l.eku = 0;
	assert_issue_fails(s, CA_ACTIVE, &l, "profile");
	/* Refusals are answers: the same signer goes on. */
	assert_int_equal(signer_pid(s), pid);
	leaf_init(&l, two_names, nitems(two_names));
	gnutls_x509_crt_deinit(issue_ok(s, CA_ACTIVE, &l));
	/* A request that cannot be encoded never reaches it. */
	leaf_init(&l, two_names, 0);
	assert_issue_fails(s, CA_ACTIVE, &l, "encoded");
	signer_free(s);
}

static void
test_issue_ca_retired_while_running(void **state)
{
	struct signer	*s;
	struct ca_leaf	 l;

	(void)state;
	assert_non_null(s = signer_new(db_path, 5000));
	leaf_init(&l, two_names, nitems(two_names));
	gnutls_x509_crt_deinit(issue_ok(s, CA_TO_RETIRE, &l));
	assert_true(fixture_ca_set_status(db_path, "to-retire", "retired"));
	leaf_init(&l, two_names, nitems(two_names));
	assert_issue_fails(s, CA_TO_RETIRE, &l, "retired");
	signer_free(s);
}

static void
test_issue_restarts_dead_signer(void **state)
{
	struct signer	*s;
	struct ca_leaf	 l;
	siginfo_t	 si;
	pid_t		 pid;

	(void)state;
	assert_non_null(s = signer_new(db_path, 5000));
	assert_true(signer_start(s));
	assert_true(signer_start(s));	/* running: nothing to do */
	assert_true((pid = signer_pid(s)) > 0);
	assert_int_equal(kill(pid, SIGKILL), 0);
	/* Wait for it to die, leaving the reaping to the client. */
	memset(&si, 0, sizeof(si));
	assert_int_equal(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
	leaf_init(&l, two_names, nitems(two_names));
	gnutls_x509_crt_deinit(issue_ok(s, CA_ACTIVE, &l));
	assert_true(signer_pid(s) > 0);
	assert_int_not_equal(signer_pid(s), pid);
	/* The dead one was reaped. */
	assert_int_equal(waitpid(pid, NULL, WNOHANG), -1);

	/* A signer that exits by itself is replaced too. */
	pid = signer_pid(s);
	assert_int_equal(kill(pid, SIGTERM), 0);
	memset(&si, 0, sizeof(si));
	assert_int_equal(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
	leaf_init(&l, two_names, nitems(two_names));
	gnutls_x509_crt_deinit(issue_ok(s, CA_ACTIVE, &l));
	assert_int_not_equal(signer_pid(s), pid);
	signer_free(s);
}

static void
test_issue_kills_silent_signer(void **state)
{
	struct signer	*s;
	struct ca_leaf	 l;
	pid_t		 pid;

	(void)state;
	assert_non_null(s = signer_new(db_path, 5000));
	signer_set_timeout(s, 200);
	assert_true(signer_start(s));
	pid = signer_pid(s);
	/* Stopped, it reads nothing and answers nothing. */
	assert_int_equal(kill(pid, SIGSTOP), 0);
	leaf_init(&l, two_names, nitems(two_names));
	assert_issue_fails(s, CA_ACTIVE, &l, "did not answer");
	/* Killed and reaped. */
	assert_int_equal(signer_pid(s), 0);
	assert_int_equal(waitpid(pid, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	/* The next request has a new one. */
	leaf_init(&l, two_names, nitems(two_names));
	gnutls_x509_crt_deinit(issue_ok(s, CA_ACTIVE, &l));
	assert_int_not_equal(signer_pid(s), pid);
	signer_free(s);
}

static void
test_issue_forked_in_transaction(void **state)
{
	struct signer	*s;
	struct ca_leaf	 l;
	struct db_ca	 c;

	(void)state;
	/* As finalize may: the worker's connection is inside BEGIN IMMEDIATE. */
	assert_true(db_begin(parent_db));
	assert_int_equal(db_ca_get(parent_db, CA_ACTIVE, &c), DB_OK);
	db_ca_free(&c);
	assert_non_null(s = signer_new(db_path, 5000));
	leaf_init(&l, two_names, nitems(two_names));
	gnutls_x509_crt_deinit(issue_ok(s, CA_ACTIVE, &l));
	db_rollback(parent_db);
	/* And after it, with the same signer. */
	leaf_init(&l, two_names, nitems(two_names));
	gnutls_x509_crt_deinit(issue_ok(s, CA_ACTIVE, &l));
	signer_free(s);
}

/* The /proc/PID/fd link text of our descriptor fd. */
static void
fd_target(int fd, char *out, size_t len)
{
	char	path[64];
	ssize_t	n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	assert_true((n = readlink(path, out, len - 1)) > 0);
	out[n] = '\0';
}

static void
test_signer_descriptors(void **state)
{
	struct signer	*s;
	struct dirent	*de;
	DIR		*d;
	char		 dir[64], path[320], target[PATH_MAX];
	char		 unwanted[4][PATH_MAX];
	ssize_t		 n;
	size_t		 i;
	int		 p[2], q[2], f, sockets = 0;

	(void)state;
	/*
	 * What a worker holds besides its database: a pipe (the CGI response),
	 * sockets (FastCGI listener and connections), a file.
	 */
	assert_int_equal(pipe(p), 0);
	pair(q);
	assert_true(fixture_path(path, sizeof(path), fixture_dir, "other.key"));
	assert_true((f = open(path, O_RDONLY)) >= 0);
	fd_target(p[0], unwanted[0], sizeof(unwanted[0]));
	fd_target(q[0], unwanted[1], sizeof(unwanted[1]));
	fd_target(q[1], unwanted[2], sizeof(unwanted[2]));
	fd_target(f, unwanted[3], sizeof(unwanted[3]));

	assert_non_null(s = signer_new(db_path, 5000));
	/* Ask something, so that it has set itself up. */
	assert_issue_fails(s, CA_UNKNOWN, &(struct ca_leaf){ .pub = leaf_pub,
	    .names = two_names, .nnames = 1, .eku = CA_EKU_SERVER_AUTH }, "unknown");
	snprintf(dir, sizeof(dir), "/proc/%ld/fd", (long)signer_pid(s));
	/* Not dumpable: only a privileged user may look. */
	if ((d = opendir(dir)) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
			assert_true((n = readlink(path, target, sizeof(target) - 1)) > 0);
			target[n] = '\0';
			for (i = 0; i < nitems(unwanted); i++)
				if (strcmp(target, unwanted[i]) == 0)
					fail_msg("the signer keeps %s -> %s", path, target);
			if (strncmp(target, "socket:", 7) == 0)
				sockets++;
			if (strcmp(de->d_name, "0") == 0 || strcmp(de->d_name, "1") == 0)
				assert_string_equal(target, "/dev/null");
		}
		closedir(d);
		/* Its end of the socketpair, no other. */
		assert_int_equal(sockets, 1);
	}
	signer_free(s);
	close(p[0]);
	close(p[1]);
	close(q[0]);
	close(q[1]);
	close(f);
	if (d == NULL)
		skip();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame_round_trip),
		cmocka_unit_test(test_frame_write_rejects_sizes),
		cmocka_unit_test(test_frame_truncated),
		cmocka_unit_test(test_frame_oversized),
		cmocka_unit_test(test_frame_zero_length),
		cmocka_unit_test(test_frame_read_timeout),
		cmocka_unit_test(test_req_round_trip),
		cmocka_unit_test(test_req_max_names),
		cmocka_unit_test(test_req_encode_rejects),
		cmocka_unit_test(test_req_unknown_type),
		cmocka_unit_test(test_req_truncated),
		cmocka_unit_test(test_req_trailing_bytes),
		cmocka_unit_test(test_req_bad_ca_id),
		cmocka_unit_test(test_req_name_count),
		cmocka_unit_test(test_req_bad_names),
		cmocka_unit_test(test_req_bad_spki),
		cmocka_unit_test(test_serve_replies_and_goes_on),
		cmocka_unit_test(test_serve_drops_bad_frames),
		cmocka_unit_test(test_issue),
		cmocka_unit_test(test_issue_refusals),
		cmocka_unit_test(test_issue_ca_retired_while_running),
		cmocka_unit_test(test_issue_restarts_dead_signer),
		cmocka_unit_test(test_issue_kills_silent_signer),
		cmocka_unit_test(test_issue_forked_in_transaction),
		cmocka_unit_test(test_signer_descriptors),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
