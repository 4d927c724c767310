/*
 * signer.h - the signer process: the only process that loads an issuing
 * CA's private key (privilege separation, as OpenBSD's acme-client keeps
 * its keys in processes of their own).
 *
 * A request-handling process (a FastCGI worker, a CGI process) owns a
 * struct signer.  On first use it forks the signer, which keeps one end of
 * a socketpair and its own database connection, loads a CA from the
 * database when a request first names it, and turns each request into a
 * certificate with ca_issue() -- whose leaf check runs there, so a worker
 * gets nothing the CA profile forbids.  The worker only ever sends a
 * request and reads back the certificate; it never holds a struct ca.
 *
 * Wire format: frames of a 4-byte big-endian length (1..SIGNER_FRAME_MAX)
 * and a payload.  A frame of another length, or a stream that ends inside
 * a frame, is a protocol error: the reader drops the connection.
 *
 *	request:  u8 SIGNER_MSG_ISSUE, i64 ca_id, i64 not_before,
 *		  i64 not_after, u32 eku, serial[CA_SERIAL_LEN],
 *		  u32 spki_len, spki (SubjectPublicKeyInfo DER),
 *		  u32 nnames (1..CA_LEAF_NAMES_MAX),
 *		  nnames * { u8 enum ca_name_type, u16 len (1..CA_DNS_NAME_MAX),
 *		  the name, no NUL }
 *	response: u8 SIGNER_OK, the certificate DER, or
 *		  u8 SIGNER_ERROR, a short message (never a secret)
 *
 * Integers are big-endian, signed ones two's complement.  A request with
 * bytes after its last name is malformed.
 */
#ifndef ACME_SIGNER_H
#define ACME_SIGNER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <gnutls/gnutls.h>

#include "ca.h"

struct buf;
struct db;
struct signer;

#define SIGNER_FRAME_MAX	(64 * 1024)
#define SIGNER_SPKI_MAX		4096	/* an RSA 16384 key's SPKI is ~2 KiB */
#define SIGNER_TIMEOUT_MS	30000	/* for a request to go and its reply to come */
#define SIGNER_CAS_MAX		16	/* CAs one signer keeps loaded */

enum signer_msg {
	SIGNER_MSG_ISSUE = 1
};

enum signer_status {
	SIGNER_OK = 0,
	SIGNER_ERROR = 1
};

/*
 * The client side, owned by one request-handling process.  signer_new()
 * only allocates (NULL on failure, logged): the process starts on the
 * first signer_issue(), or on signer_start(), which a FastCGI worker calls
 * when it starts.  database and busy_timeout_ms are those of the caller's
 * own connection; the signer opens its own.
 *
 * The caller's database connection must stay open until signer_free():
 * the signer shares SQLite's per-process lock state that fork() copied.
 * Only the owner reaps the signer (waitpid on its pid); SIGCHLD may be
 * blocked or caught, but not ignored (SIG_IGN reaps behind our back).
 */
struct signer	*signer_new(const char *database, unsigned busy_timeout_ms);
/* Starts the signer unless it runs.  1, or 0 logged. */
int		 signer_start(struct signer *s);
/*
 * Has CA ca_id issue leaf: 1 with the certificate in *der (gnutls_free'd
 * by the caller), or 0 with a one-line reason in err (never a secret).
 * A signer that is not running, or whose connection broke before the
 * request was written, is restarted once; one that does not answer within
 * SIGNER_TIMEOUT_MS (or signer_set_timeout()) is killed.
 */
int		 signer_issue(struct signer *s, int64_t ca_id,
		    const struct ca_leaf *leaf, gnutls_datum_t *der, char *err,
		    size_t errlen);
/* The signer's process id, or 0 if it is not running (for tests). */
pid_t		 signer_pid(const struct signer *s);
/* Replaces SIGNER_TIMEOUT_MS for s (tests); 0 or less restores it. */
void		 signer_set_timeout(struct signer *s, int timeout_ms);
/* Stops the signer (closes its socket, SIGTERM, waitpid) and frees s. */
void		 signer_free(struct signer *s);

/*
 * The signer's side: serves requests on fd with the database db until the
 * peer closes it.  Returns 1 at a clean end of stream, 0 after a protocol
 * error (logged).  signer_start() runs it in the child; tests may run it
 * over a socketpair.
 */
int		 signer_serve(int fd, struct db *db);

/*
 * Frames, on a stream socket; timeout_ms bounds the whole frame (-1:
 * forever).  signer_frame_write() returns 1, or 0 logged (len outside
 * 1..SIGNER_FRAME_MAX, timeout, peer gone).  signer_frame_read() puts a
 * frame's payload in out (emptied first) and returns 1; 0 if the stream
 * ended before a frame began; -1 after a protocol or I/O error or a
 * timeout (logged).
 */
int		 signer_frame_write(int fd, const void *p, size_t len,
		    int timeout_ms);
int		 signer_frame_read(int fd, struct buf *out, int timeout_ms);

/*
 * A decoded request.  leaf.names points into names, whose values point
 * into values; leaf.pub is owned here.  error says why decoding failed
 * (static text).
 */
struct signer_req {
	int64_t		 ca_id;
	struct ca_leaf	 leaf;
	struct ca_name	 names[CA_LEAF_NAMES_MAX];
	char		 values[CA_LEAF_NAMES_MAX][CA_DNS_NAME_MAX + 1];
	const char	*error;
};

/* Appends an ISSUE request to b.  1, or 0 logged (nothing appended). */
int		 signer_req_encode(struct buf *b, int64_t ca_id,
		    const struct ca_leaf *leaf);
/*
 * Decodes a request payload: 1 with r filled (signer_req_free it), or 0
 * with r->error set and nothing to free.  Checks the format only; the
 * profile is ca_leaf_check()'s.
 */
int		 signer_req_decode(const uint8_t *p, size_t len,
		    struct signer_req *r);
void		 signer_req_free(struct signer_req *r);

#endif
