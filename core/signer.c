/*
 * signer.c - the signer process and its client (see signer.h).
 *
 * The client forks the signer from a request-handling process and talks
 * to it over a socketpair.  The key is loaded only after the fork, in the
 * child, so the request-handling process never has it in memory; the
 * child is made non-dumpable before it loads anything.
 */
#include "autoconfig.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/x509.h>

#include "buf.h"
#include "ca.h"
#include "db.h"
#include "log.h"
#include "signer.h"

#define FRAME_HDR_LEN	4
/* How long signer_free() lets the signer go before it kills it. */
#define STOP_WAIT_MS	2000
/* Longest reason the signer sends back. */
#define REASON_MAX	200

struct signer {
	pid_t		 pid;		/* 0: not running */
	int		 fd;		/* our end of the socketpair, or -1 */
	char		*database;
	unsigned	 busy_timeout_ms;
	int		 timeout_ms;	/* for a request to go and its reply to come */
};

/* A CA the signer has loaded. */
struct loaded_ca {
	int64_t		 id;		/* 0: a free slot */
	struct ca	 ca;
};

/* What the signer keeps between requests. */
struct serve_state {
	struct db		*db;
	struct loaded_ca	 cas[SIGNER_CAS_MAX];
	size_t			 next;		/* slot to reuse when all are taken */
	struct signer_req	 req;
};

/* --- byte order ------------------------------------------------------------ */

static void
put_u8(struct buf *b, uint8_t v)
{
	buf_append(b, &v, 1);
}

static void
put_u16(struct buf *b, uint16_t v)
{
	uint8_t	x[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	buf_append(b, x, sizeof(x));
}

static void
be32(uint8_t x[4], uint32_t v)
{
	x[0] = (uint8_t)(v >> 24);
	x[1] = (uint8_t)(v >> 16);
	x[2] = (uint8_t)(v >> 8);
	x[3] = (uint8_t)v;
}

static void
put_u32(struct buf *b, uint32_t v)
{
	uint8_t	x[4];

	be32(x, v);
	buf_append(b, x, sizeof(x));
}

static void
put_i64(struct buf *b, int64_t v)
{
	uint64_t	u = (uint64_t)v;
	uint8_t		x[8];

	for (int i = 7; i >= 0; i--, u >>= 8)
		x[i] = (uint8_t)u;
	buf_append(b, x, sizeof(x));
}

/* A cursor over received bytes; each get_*() returns 0 if too few are left. */
struct rd {
	const uint8_t	*p;
	size_t		 left;
};

static int
get_bytes(struct rd *r, void *out, size_t n)
{
	if (r->left < n)
		return 0;
	memcpy(out, r->p, n);
	r->p += n;
	r->left -= n;
	return 1;
}

static int
get_uint(struct rd *r, size_t n, uint64_t *v)
{
	uint8_t	x[8];

	if (!get_bytes(r, x, n))
		return 0;
	*v = 0;
	for (size_t i = 0; i < n; i++)
		*v = *v << 8 | x[i];
	return 1;
}

static int
get_i64(struct rd *r, int64_t *v)
{
	uint64_t	u;

	if (!get_uint(r, 8, &u))
		return 0;
	/* Two's complement without an implementation-defined conversion. */
	*v = u <= INT64_MAX ? (int64_t)u : -(int64_t)(~u) - 1;
	return 1;
}

/* --- frames ---------------------------------------------------------------- */

static int64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
deadline_of(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
}

/*
 * Waits for events on fd until deadline (-1: forever).  1 when ready (or
 * hung up: the next call says so), or 0 with errno (ETIMEDOUT).
 */
static int
wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd	pfd;
	int64_t		left;
	int		rc;

	for (;;) {
		left = -1;
		if (deadline >= 0 && (left = deadline - now_ms()) <= 0) {
			errno = ETIMEDOUT;
			return 0;
		}
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		rc = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (rc > 0)
			return 1;
		if (rc < 0 && errno != EINTR)
			return 0;
	}
}

/* Sends all of p; 1, or 0 with errno.  Never raises SIGPIPE. */
static int
send_full(int fd, const void *p, size_t len, int64_t deadline)
{
	const uint8_t	*q = p;
	ssize_t		 n;

	while (len > 0) {
		if (!wait_fd(fd, POLLOUT, deadline))
			return 0;
		if ((n = send(fd, q, len, MSG_DONTWAIT | MSG_NOSIGNAL)) < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
				continue;
			return 0;
		}
		q += n;
		len -= (size_t)n;
	}
	return 1;
}

/* Reads len bytes unless the stream ends first: the count read, or -1 with errno. */
static ssize_t
recv_full(int fd, void *p, size_t len, int64_t deadline)
{
	size_t	got = 0;
	ssize_t	n;

	while (got < len) {
		if (!wait_fd(fd, POLLIN, deadline))
			return -1;
		if ((n = recv(fd, (uint8_t *)p + got, len - got, MSG_DONTWAIT)) == 0)
			break;
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)
				continue;
			return -1;
		}
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int
signer_frame_write(int fd, const void *p, size_t len, int timeout_ms)
{
	uint8_t	hdr[FRAME_HDR_LEN];
	int64_t	deadline = deadline_of(timeout_ms);

	if (len == 0 || len > SIGNER_FRAME_MAX) {
		log_err("signer_frame_write: a frame of %zu bytes (1 to %d allowed)",
		    len, SIGNER_FRAME_MAX);
		return 0;
	}
	be32(hdr, (uint32_t)len);
	if (!send_full(fd, hdr, sizeof(hdr), deadline) ||
	    !send_full(fd, p, len, deadline)) {
		log_err("signer_frame_write: %s", errno == ETIMEDOUT ?
		    "the peer did not read it in time" : strerror(errno));
		return 0;
	}
	return 1;
}

int
signer_frame_read(int fd, struct buf *out, int timeout_ms)
{
	uint8_t		 hdr[FRAME_HDR_LEN], chunk[4096];
	struct rd	 r = { hdr, sizeof(hdr) };
	uint64_t	 len;
	size_t		 got, want;
	ssize_t		 n;
	int64_t		 deadline = deadline_of(timeout_ms);

	buf_reset(out);
	if ((n = recv_full(fd, hdr, sizeof(hdr), deadline)) == 0)
		return 0;
	if (n < 0)
		goto syserr;
	if ((size_t)n < sizeof(hdr)) {
		log_err("signer_frame_read: stream ends inside a frame header");
		return -1;
	}
	(void)get_uint(&r, sizeof(hdr), &len);
	if (len == 0 || len > SIGNER_FRAME_MAX) {
		log_err("signer_frame_read: a frame of %llu bytes (1 to %d allowed)",
		    (unsigned long long)len, SIGNER_FRAME_MAX);
		return -1;
	}
	for (got = 0; got < len; got += (size_t)n) {
		want = len - got < sizeof(chunk) ? len - got : sizeof(chunk);
		if ((n = recv_full(fd, chunk, want, deadline)) < 0)
			goto syserr;
		if ((size_t)n < want) {
			log_err("signer_frame_read: stream ends after %zu of %llu "
			    "bytes of a frame", got + (size_t)n, (unsigned long long)len);
			return -1;
		}
		buf_append(out, chunk, (size_t)n);
	}
	if (out->oom) {
		log_err("signer_frame_read: out of memory");
		return -1;
	}
	return 1;
syserr:
	log_err("signer_frame_read: %s", errno == ETIMEDOUT ?
	    "no frame in time" : strerror(errno));
	return -1;
}

/* --- requests -------------------------------------------------------------- */

int
signer_req_encode(struct buf *b, int64_t ca_id, const struct ca_leaf *leaf)
{
	gnutls_datum_t	 spki = { NULL, 0 };
	size_t		 start = b->len, i, vlen;
	int		 rc, ok = 0;

	if (leaf->nnames == 0 || leaf->nnames > CA_LEAF_NAMES_MAX) {
		log_err("signer_req_encode: %zu names (1 to %d allowed)",
		    leaf->nnames, CA_LEAF_NAMES_MAX);
		goto out;
	}
	for (i = 0; i < leaf->nnames; i++) {
		const struct ca_name *nm = &leaf->names[i];

		if ((unsigned)nm->type >= CA_NAME_TYPE__MAX || nm->value == NULL ||
		    (vlen = strlen(nm->value)) == 0 || vlen > CA_DNS_NAME_MAX) {
			log_err("signer_req_encode: name %zu is of an unknown type, "
			    "empty or too long", i);
			goto out;
		}
	}
	if ((rc = gnutls_pubkey_export2(leaf->pub, GNUTLS_X509_FMT_DER, &spki)) < 0) {
		log_err("signer_req_encode: public key: %s", gnutls_strerror(rc));
		goto out;
	}
	if (spki.size == 0 || spki.size > SIGNER_SPKI_MAX) {
		log_err("signer_req_encode: a public key of %u bytes", spki.size);
		goto out;
	}
	put_u8(b, SIGNER_MSG_ISSUE);
	put_i64(b, ca_id);
	put_i64(b, (int64_t)leaf->not_before);
	put_i64(b, (int64_t)leaf->not_after);
	put_u32(b, (uint32_t)leaf->eku);
	buf_append(b, leaf->serial, CA_SERIAL_LEN);
	put_u32(b, spki.size);
	buf_append(b, spki.data, spki.size);
	put_u32(b, (uint32_t)leaf->nnames);
	for (i = 0; i < leaf->nnames; i++) {
		vlen = strlen(leaf->names[i].value);
		put_u8(b, (uint8_t)leaf->names[i].type);
		put_u16(b, (uint16_t)vlen);
		buf_append(b, leaf->names[i].value, vlen);
	}
	if (b->oom) {
		log_err("signer_req_encode: out of memory");
		goto out;
	}
	ok = 1;
out:
	gnutls_free(spki.data);
	if (!ok && b->p != NULL) {
		b->len = start;
		b->p[start] = '\0';
	}
	return ok;
}

static int
req_fail(struct signer_req *r, const char *why)
{
	r->error = why;
	return 0;
}

/* Whether a time on the wire fits a time_t. */
static int
time_fits(int64_t t)
{
	return (int64_t)(time_t)t == t;
}

int
signer_req_decode(const uint8_t *p, size_t len, struct signer_req *r)
{
	struct rd	 in = { p, len };
	gnutls_pubkey_t	 pub = NULL;
	gnutls_datum_t	 spki, again = { NULL, 0 };
	uint64_t	 u;
	int64_t		 nb, na;
	uint32_t	 eku, spki_len, nnames;
	uint8_t		 type;
	size_t		 i, vlen;
	int		 same;

	memset(r, 0, sizeof(*r));
	if (!get_uint(&in, 1, &u))
		return req_fail(r, "empty request");
	if (u != SIGNER_MSG_ISSUE)
		return req_fail(r, "unknown request type");
	if (!get_i64(&in, &r->ca_id) || !get_i64(&in, &nb) ||
	    !get_i64(&in, &na) || !get_uint(&in, 4, &u))
		return req_fail(r, "truncated request");
	eku = (uint32_t)u;
	if (!get_bytes(&in, r->leaf.serial, CA_SERIAL_LEN) || !get_uint(&in, 4, &u))
		return req_fail(r, "truncated request");
	spki_len = (uint32_t)u;
	if (r->ca_id <= 0)
		return req_fail(r, "CA id out of range");
	if (!time_fits(nb) || !time_fits(na))
		return req_fail(r, "validity out of range");
	if (spki_len == 0 || spki_len > SIGNER_SPKI_MAX)
		return req_fail(r, "public key length out of range");
	if (in.left < spki_len)
		return req_fail(r, "truncated request");
	spki.data = (unsigned char *)(uintptr_t)in.p;
	spki.size = spki_len;
	in.p += spki_len;
	in.left -= spki_len;
	if (!get_uint(&in, 4, &u))
		return req_fail(r, "truncated request");
	nnames = (uint32_t)u;
	if (nnames == 0 || nnames > CA_LEAF_NAMES_MAX)
		return req_fail(r, "name count out of range");
	for (i = 0; i < nnames; i++) {
		if (!get_uint(&in, 1, &u))
			return req_fail(r, "truncated request");
		type = (uint8_t)u;
		if (type >= CA_NAME_TYPE__MAX)
			return req_fail(r, "unknown name type");
		if (!get_uint(&in, 2, &u))
			return req_fail(r, "truncated request");
		vlen = (size_t)u;
		if (vlen == 0 || vlen > CA_DNS_NAME_MAX)
			return req_fail(r, "name length out of range");
		if (!get_bytes(&in, r->values[i], vlen))
			return req_fail(r, "truncated request");
		if (memchr(r->values[i], '\0', vlen) != NULL)
			return req_fail(r, "NUL in a name");
		r->values[i][vlen] = '\0';
		r->names[i].type = (enum ca_name_type)type;
		r->names[i].value = r->values[i];
	}
	if (in.left != 0)
		return req_fail(r, "trailing bytes after the request");

	/* The key last: it is all that allocates.  DER only, so it is canonical. */
	if (gnutls_pubkey_init(&pub) < 0)
		return req_fail(r, "out of memory");
	if (gnutls_pubkey_import(pub, &spki, GNUTLS_X509_FMT_DER) < 0 ||
	    gnutls_pubkey_export2(pub, GNUTLS_X509_FMT_DER, &again) < 0) {
		gnutls_pubkey_deinit(pub);
		return req_fail(r, "public key is not a SubjectPublicKeyInfo");
	}
	same = again.size == spki.size && memcmp(again.data, spki.data, spki.size) == 0;
	gnutls_free(again.data);
	if (!same) {
		gnutls_pubkey_deinit(pub);
		return req_fail(r, "public key is not in DER");
	}
	r->leaf.pub = pub;
	r->leaf.names = r->names;
	r->leaf.nnames = nnames;
	r->leaf.not_before = (time_t)nb;
	r->leaf.not_after = (time_t)na;
	r->leaf.eku = eku;
	return 1;
}

void
signer_req_free(struct signer_req *r)
{
	if (r->leaf.pub != NULL)
		gnutls_pubkey_deinit(r->leaf.pub);
	r->leaf.pub = NULL;
}

/* --- the signer's side ----------------------------------------------------- */

static void
reply_error(struct buf *out, const char *why)
{
	buf_reset(out);
	put_u8(out, SIGNER_ERROR);
	buf_puts(out, why);
}

/*
 * The CA ca_id, active in the database and loaded, or NULL with *why set.
 * Its status is read on every request, so that a CA retired while the
 * signer runs signs no more; its key is loaded once.
 */
static const struct ca *
ca_get(struct serve_state *st, int64_t ca_id, const char **why)
{
	struct db_ca		 c;
	struct loaded_ca	*slot = NULL;
	const struct ca		*ca = NULL;
	char			 err[PATH_MAX + 64];
	size_t			 i;

	memset(&c, 0, sizeof(c));
	switch (db_ca_get(st->db, ca_id, &c)) {
	case DB_OK:
		break;
	case DB_NOTFOUND:
		log_warn("signer: CA %lld: no such CA", (long long)ca_id);
		*why = "unknown CA";
		return NULL;
	default:
		*why = "database error";
		return NULL;
	}
	if (!c.active) {
		log_warn("signer: CA %lld (%s) is retired: request refused",
		    (long long)ca_id, c.name);
		*why = "the CA is retired";
		goto out;
	}
	/*
	 * Every time, loaded or not: a key file made readable by others
	 * stops issuance at once.  The client is not told the file's name.
	 */
	if (c.issuing_key != NULL && key_file_safe(c.issuing_key, err, sizeof(err)) == 0) {
		log_err("signer: CA %lld (%s): the key file is unsafe: %s",
		    (long long)ca_id, c.name, err);
		*why = "the CA key file is unsafe (see the server log)";
		goto out;
	}
	for (i = 0; i < SIGNER_CAS_MAX; i++)
		if (st->cas[i].id == ca_id) {
			ca = &st->cas[i].ca;
			goto out;
		}
	for (i = 0; i < SIGNER_CAS_MAX && slot == NULL; i++)
		if (st->cas[i].id == 0)
			slot = &st->cas[i];
	if (slot == NULL) {
		slot = &st->cas[st->next++ % SIGNER_CAS_MAX];
		ca_free(&slot->ca);
		slot->id = 0;
	}
	if (c.issuing_pem == NULL || c.issuing_key == NULL ||
	    !ca_load(&slot->ca, c.issuing_pem, strlen(c.issuing_pem), c.issuing_key)) {
		log_err("signer: CA %lld (%s) could not be loaded", (long long)ca_id,
		    c.name);
		*why = "the CA could not be loaded";
		goto out;
	}
	slot->id = ca_id;
	ca = &slot->ca;
	log_info("signer: CA %lld (%s) loaded", (long long)ca_id, c.name);
out:
	db_ca_free(&c);
	return ca;
}

/* Answers one request payload into out. */
static void
serve_one(struct serve_state *st, const struct buf *in, struct buf *out)
{
	struct signer_req	*r = &st->req;
	const struct ca		*ca;
	gnutls_x509_crt_t	 crt = NULL;
	gnutls_datum_t		 der = { NULL, 0 };
	const char		*why;
	char			 serial[2 * CA_SERIAL_LEN + 1];
	int			 rc;

	if (!signer_req_decode((const uint8_t *)in->p, in->len, r)) {
		log_warn("signer: malformed request: %s", r->error);
		reply_error(out, r->error);
		return;
	}
	if ((ca = ca_get(st, r->ca_id, &why)) == NULL) {
		reply_error(out, why);
		goto out;
	}
	/* ca_issue() runs ca_leaf_check() and logs why it refuses. */
	if (!ca_issue(ca, &r->leaf, time(NULL), &crt)) {
		reply_error(out, "refused by the CA's certificate profile");
		goto out;
	}
	if ((rc = gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_DER, &der)) < 0) {
		log_err("signer: certificate: %s", gnutls_strerror(rc));
		reply_error(out, "the certificate could not be encoded");
		goto out;
	}
	if (der.size >= SIGNER_FRAME_MAX) {
		log_err("signer: a certificate of %u bytes does not fit a frame", der.size);
		reply_error(out, "the certificate is too large");
		goto out;
	}
	buf_reset(out);
	put_u8(out, SIGNER_OK);
	buf_append(out, der.data, der.size);
	ca_serial_hex(r->leaf.serial, serial);
	log_info("signer: CA %lld issued serial %s for %s (%zu names)",
	    (long long)r->ca_id, serial, r->leaf.names[0].value, r->leaf.nnames);
out:
	gnutls_free(der.data);
	if (crt != NULL)
		gnutls_x509_crt_deinit(crt);
	signer_req_free(r);
}

int
signer_serve(int fd, struct db *db)
{
	struct serve_state	*st;
	struct buf		 in = { NULL, 0, 0, 0 }, out = { NULL, 0, 0, 0 };
	size_t			 i;
	int			 rc, ok = 0;

	if ((st = calloc(1, sizeof(*st))) == NULL) {
		log_err("signer_serve: out of memory");
		return 0;
	}
	st->db = db;
	for (;;) {
		if ((rc = signer_frame_read(fd, &in, -1)) <= 0) {
			ok = rc == 0;
			break;
		}
		buf_reset(&out);
		serve_one(st, &in, &out);
		if (out.oom) {
			log_err("signer_serve: out of memory");
			break;
		}
		if (!signer_frame_write(fd, out.p, out.len, SIGNER_TIMEOUT_MS))
			break;
	}
	for (i = 0; i < SIGNER_CAS_MAX; i++)
		if (st->cas[i].id != 0)
			ca_free(&st->cas[i].ca);
	free(st);
	buf_free(&in);
	buf_free(&out);
	return ok;
}

/* --- the signer process ---------------------------------------------------- */

/* Default dispositions and an empty mask: the worker blocks and catches signals. */
static void
child_signals(void)
{
	struct sigaction	sa;
	sigset_t		none;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

struct file_id {
	dev_t	dev;
	ino_t	ino;
};

/* Whether the child keeps fd open (see child_fds()). */
static int
keep_fd(int fd, int sock, const struct file_id *db_files, size_t n)
{
	struct stat	sb;

	if (fd <= STDERR_FILENO || fd == sock)
		return 1;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (sb.st_dev == db_files[i].dev && sb.st_ino == db_files[i].ino)
			return 1;
	return 0;
}

/*
 * Leaves the child with /dev/null on stdin and stdout, stderr (the log),
 * sock, and the descriptors of the database files.  Those stay open
 * because SQLite keeps per-process state about each database file a
 * process has open -- which locks the process holds, the shared-memory
 * mapping of the WAL index, and the descriptors they go through -- and
 * fork() copied the worker's: a connection the child opens on the same
 * file joins that state and uses those descriptors ("disk I/O error",
 * "locking protocol" if they are closed).  The worker's connection itself is never
 * used here.  Everything else goes: the FastCGI listening socket and
 * connections, the CGI response pipe.  Returns sock's new number, or -1.
 */
static int
child_fds(int sock, const char *database)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	struct file_id	 db_files[3];
	struct stat	 sb;
	struct dirent	*de;
	DIR		*d;
	char		 path[PATH_MAX], *end;
	size_t		 n = 0;
	long		 fd, max;
	int		 null;

	if (sock <= STDERR_FILENO) {
		if ((fd = fcntl(sock, F_DUPFD_CLOEXEC, STDERR_FILENO + 1)) < 0) {
			log_err("signer: fcntl: %s", strerror(errno));
			return -1;
		}
		close(sock);
		sock = (int)fd;
	}
	if ((null = open("/dev/null", O_RDWR)) < 0) {
		log_err("signer: /dev/null: %s", strerror(errno));
		return -1;
	}
	dup2(null, STDIN_FILENO);
	dup2(null, STDOUT_FILENO);
	if (fcntl(STDERR_FILENO, F_GETFD) < 0)
		dup2(null, STDERR_FILENO);
	if (null > STDERR_FILENO)
		close(null);

	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++)
		if ((size_t)snprintf(path, sizeof(path), "%s%s", database,
		    suffix[i]) < sizeof(path) && stat(path, &sb) == 0) {
			db_files[n].dev = sb.st_dev;
			db_files[n++].ino = sb.st_ino;
		}

	if ((d = opendir("/proc/self/fd")) != NULL) {
		/* procfs lists descriptors by number: closing ahead is safe. */
		while ((de = readdir(d)) != NULL) {
			fd = strtol(de->d_name, &end, 10);
			if (*end != '\0' || fd < 0 || fd > INT_MAX || fd == dirfd(d))
				continue;
			if (!keep_fd((int)fd, sock, db_files, n))
				close((int)fd);
		}
		closedir(d);
		return sock;
	}
	if ((max = sysconf(_SC_OPEN_MAX)) < 0 || max > 65536)
		max = 65536;
	for (fd = STDERR_FILENO + 1; fd < max; fd++)
		if (!keep_fd((int)fd, sock, db_files, n))
			close((int)fd);
	return sock;
}

/* The signer process: serves sock until its peer closes it. */
static void __attribute__((noreturn))
child_main(int sock, const char *database, unsigned busy_timeout_ms, pid_t parent)
{
	struct db	*db;
	char		 err[512];
	int		 ok;

	child_signals();
	/* Die with the worker; getppid() closes the race with its death before. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) == -1 || getppid() != parent)
		_exit(1);
	/* No core dump, no ptrace or /proc/PID/mem by the same user. */
	if (prctl(PR_SET_DUMPABLE, 0) == -1) {
		log_err("signer: prctl(PR_SET_DUMPABLE): %s", strerror(errno));
		_exit(1);
	}
	/* The syslog socket goes with the others; syslog() reconnects. */
	closelog();
	if ((sock = child_fds(sock, database)) < 0)
		_exit(1);
	if ((db = db_open(database, busy_timeout_ms, 0, err, sizeof(err))) == NULL) {
		log_err("signer: database %s: %s", database, err);
		_exit(1);
	}
	ok = signer_serve(sock, db);
	db_close(db);
	/* _exit: the worker's stdio buffers and atexit handlers are not ours. */
	_exit(ok ? 0 : 1);
}

/* --- the client ------------------------------------------------------------ */

struct signer *
signer_new(const char *database, unsigned busy_timeout_ms)
{
	struct signer	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->database = strdup(database)) == NULL) {
		log_err("signer_new: out of memory");
		free(s);
		return NULL;
	}
	s->fd = -1;
	s->busy_timeout_ms = busy_timeout_ms;
	s->timeout_ms = SIGNER_TIMEOUT_MS;
	return s;
}

int
signer_start(struct signer *s)
{
	int	sv[2];
	pid_t	pid, parent = getpid();

	if (s->pid > 0)
		return 1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		log_err("signer_start: socketpair: %s", strerror(errno));
		return 0;
	}
	if ((pid = fork()) < 0) {
		log_err("signer_start: fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	if (pid == 0) {
		close(sv[0]);
		child_main(sv[1], s->database, s->busy_timeout_ms, parent);
	}
	close(sv[1]);
	s->pid = pid;
	s->fd = sv[0];
	log_debug("signer_start: signer %ld started", (long)pid);
	return 1;
}

pid_t
signer_pid(const struct signer *s)
{
	return s->pid;
}

void
signer_set_timeout(struct signer *s, int timeout_ms)
{
	s->timeout_ms = timeout_ms > 0 ? timeout_ms : SIGNER_TIMEOUT_MS;
}

/* Reaps pid, waiting up to timeout_ms (-1: forever).  1 if it is gone. */
static int
reap(pid_t pid, int timeout_ms)
{
	struct timespec	 ts = { 0, 10 * 1000 * 1000 };
	int64_t		 deadline = deadline_of(timeout_ms);
	pid_t		 r;
	int		 status;

	for (;;) {
		r = waitpid(pid, &status, timeout_ms < 0 ? 0 : WNOHANG);
		if (r == pid || (r < 0 && errno == ECHILD))
			return 1;
		if (r < 0 && errno != EINTR)
			return 0;
		if (r == 0) {
			if (now_ms() >= deadline)
				return 0;
			nanosleep(&ts, NULL);
		}
	}
}

/* Ends the signer: closes our end, sends sig, reaps it (killing it if it lingers). */
static void
signer_stop(struct signer *s, int sig)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (s->pid <= 0)
		return;
	kill(s->pid, sig);
	if (!reap(s->pid, STOP_WAIT_MS)) {
		log_warn("signer_stop: signer %ld did not exit; killing it", (long)s->pid);
		kill(s->pid, SIGKILL);
		(void)reap(s->pid, -1);
	}
	s->pid = 0;
}

/*
 * Whether the running signer can take a request: it has not exited and
 * its end of the connection is quiet (it sends nothing unasked, so a
 * readable socket means it closed).  If it exited it is reaped.
 */
static int
signer_ready(struct signer *s)
{
	struct pollfd	pfd = { s->fd, POLLIN, 0 };
	pid_t		r;
	int		status;

	if ((r = waitpid(s->pid, &status, WNOHANG)) < 0 && errno == ECHILD) {
		log_warn("signer: signer %ld is gone", (long)s->pid);
		s->pid = 0;
		return 0;
	}
	if (r == s->pid) {
		log_warn("signer: signer %ld %s %d", (long)s->pid,
		    WIFSIGNALED(status) ? "was killed by signal" : "exited with",
		    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		s->pid = 0;
		return 0;
	}
	if (poll(&pfd, 1, 0) != 0) {
		log_warn("signer: signer %ld closed its connection", (long)s->pid);
		return 0;
	}
	return 1;
}

/* The signer's reason, as printable ASCII, into err. */
static void
copy_reason(char *err, size_t errlen, const char *p, size_t len)
{
	size_t	i;

	if (errlen == 0)
		return;
	if (len == 0) {
		p = "refused";
		len = strlen(p);
	}
	for (i = 0; i < len && i < REASON_MAX && i + 1 < errlen; i++)
		err[i] = p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '?';
	err[i] = '\0';
}

int
signer_issue(struct signer *s, int64_t ca_id, const struct ca_leaf *leaf,
    gnutls_datum_t *der, char *err, size_t errlen)
{
	struct buf	 req = { NULL, 0, 0, 0 }, rep = { NULL, 0, 0, 0 };
	int		 tries, rc, ok = 0;

	der->data = NULL;
	der->size = 0;
	if (!signer_req_encode(&req, ca_id, leaf)) {
		snprintf(err, errlen, "the request could not be encoded");
		goto out;
	}
	for (tries = 0;; tries++) {
		if (!signer_start(s)) {
			snprintf(err, errlen, "the signer could not be started");
			goto out;
		}
		if (signer_ready(s) &&
		    signer_frame_write(s->fd, req.p, req.len, s->timeout_ms))
			break;
		signer_stop(s, SIGKILL);
		if (tries == 1) {
			snprintf(err, errlen, "the signer is not available");
			goto out;
		}
		log_warn("signer_issue: restarting the signer");
	}
	/* The request went: from here a failure is not retried. */
	if ((rc = signer_frame_read(s->fd, &rep, s->timeout_ms)) <= 0) {
		if (rc == 0)
			log_err("signer_issue: the signer closed the connection");
		signer_stop(s, SIGKILL);
		snprintf(err, errlen, "the signer did not answer");
		goto out;
	}
	if ((uint8_t)rep.p[0] == SIGNER_ERROR) {
		copy_reason(err, errlen, rep.p + 1, rep.len - 1);
		goto out;
	}
	if ((uint8_t)rep.p[0] != SIGNER_OK || rep.len < 2) {
		log_err("signer_issue: a malformed reply from the signer");
		signer_stop(s, SIGKILL);
		snprintf(err, errlen, "a malformed reply from the signer");
		goto out;
	}
	if ((der->data = gnutls_malloc(rep.len - 1)) == NULL) {
		log_err("signer_issue: out of memory");
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	memcpy(der->data, rep.p + 1, rep.len - 1);
	der->size = (unsigned)(rep.len - 1);
	ok = 1;
out:
	buf_free(&req);
	buf_free(&rep);
	return ok;
}

void
signer_free(struct signer *s)
{
	if (s == NULL)
		return;
	signer_stop(s, SIGTERM);
	free(s->database);
	free(s);
}
