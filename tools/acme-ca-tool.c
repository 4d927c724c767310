/*
 * acme-ca-tool - the GnuTLS half of acme-ca(8).  The script does the
 * database work; this program makes the keys and certificates and reads
 * certificates back:
 *
 *     acme-ca-tool init --name NAME --dir DIR [--key TYPE] [--days N]
 *         [--subject DN] [--root-key FILE|URL] [--key-file FILE|URL]
 *     acme-ca-tool describe < PEM
 *
 * init checks everything and builds both certificates in memory before it
 * writes a file; if writing fails it removes what it wrote.  On success it
 * prints "key=value" lines for the script, "created=PATH" for each file and
 * directory it made, so that the script can undo them if the database
 * refuses the CA.  Exit status: 0 success, 1 refused or failed, 2 usage.
 */
#include "autoconfig.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "ca.h"
#include "key.h"
#include "log.h"

#define PROG		"acme-ca"
#define DAYS_DEFAULT	3650
#define DAYS_MIN	2	/* the intermediate lives days / 2 */
#define DAYS_MAX	36500
#define CREATED_MAX	32
#define PEM_MAX		(1024 * 1024)

/* What init was asked for. */
struct opts {
	const char	*name;
	const char	*dir;
	const char	*subject;
	const char	*root_ref;	/* existing root key, or NULL */
	const char	*key_ref;	/* existing issuing key, or NULL */
	enum key_type	 type;
	int		 type_given;
	unsigned	 days;
};

/* Files and directories made so far, undone in reverse on failure. */
struct created {
	char	*path[CREATED_MAX];
	int	 isdir[CREATED_MAX];
	size_t	 n;
};

static void __attribute__((format(printf, 1, 2)))
warnx_(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "%s: ", PROG);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int
usage(void)
{
	fprintf(stderr, "usage: acme-ca-tool init --name NAME --dir DIR [--key TYPE] "
	    "[--days N]\n"
	    "           [--subject DN] [--root-key FILE|URL] [--key-file FILE|URL]\n"
	    "       acme-ca-tool describe < PEM\n");
	return 2;
}

static int
name_ok(const char *s)
{
	size_t	n = strlen(s);

	return n >= 1 && n <= 63 && strchr("abcdefghijklmnopqrstuvwxyz0123456789",
	    s[0]) != NULL &&
	    s[strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-")] == '\0';
}

static int
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static int
parse_days(const char *s, unsigned *days)
{
	char		*end;
	unsigned long	 v;

	if (*s < '0' || *s > '9')
		return 0;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < DAYS_MIN || v > DAYS_MAX)
		return 0;
	*days = (unsigned)v;
	return 1;
}

/* A key reference: a pkcs11: URL without its PIN, or a file name. */
static int
ref_ok(const char *what, const char *ref)
{
	if (*ref == '\0' || has_control(ref)) {
		warnx_("%s: give a file name or a pkcs11: URL", what);
		return 0;
	}
	if (strncmp(ref, "pkcs11:", 7) == 0 && strstr(ref, "pin-value=") != NULL) {
		warnx_("%s: the URL would keep the PIN in the database; "
		    "use pin-source=FILE (a file of mode 0600 holding the PIN)", what);
		return 0;
	}
	return 1;
}

static int
parse_init(int argc, char *argv[], struct opts *o)
{
	const char	*key = NULL, *days = NULL;

	memset(o, 0, sizeof(*o));
	o->type = KEY_EC384;
	o->days = DAYS_DEFAULT;
	for (int i = 0; i < argc; i++) {
		const char **dst = NULL;

		if (strcmp(argv[i], "--name") == 0)
			dst = &o->name;
		else if (strcmp(argv[i], "--dir") == 0)
			dst = &o->dir;
		else if (strcmp(argv[i], "--subject") == 0)
			dst = &o->subject;
		else if (strcmp(argv[i], "--root-key") == 0)
			dst = &o->root_ref;
		else if (strcmp(argv[i], "--key-file") == 0)
			dst = &o->key_ref;
		else if (strcmp(argv[i], "--key") == 0)
			dst = &key;
		else if (strcmp(argv[i], "--days") == 0)
			dst = &days;
		if (dst == NULL || i + 1 >= argc)
			return usage();
		*dst = argv[++i];
	}
	if (o->name == NULL || o->dir == NULL)
		return usage();
	if (!name_ok(o->name)) {
		warnx_("invalid CA name \"%s\": use [a-z0-9][a-z0-9_-]*, "
		    "at most 63 characters", o->name);
		return 1;
	}
	if (key != NULL) {
		o->type = key_type_parse(key);
		o->type_given = 1;
		if (!ca_key_type_ok(o->type)) {
			warnx_("invalid key type \"%s\": use ec256, ec384, rsa3072, "
			    "rsa4096 or ed25519", key);
			return 1;
		}
	}
	if (days != NULL && !parse_days(days, &o->days)) {
		warnx_("invalid --days \"%s\": a whole number from %d to %d",
		    days, DAYS_MIN, DAYS_MAX);
		return 1;
	}
	if (*o->dir == '\0' || has_control(o->dir)) {
		warnx_("invalid directory name");
		return 1;
	}
	if ((o->root_ref != NULL && !ref_ok("--root-key", o->root_ref)) ||
	    (o->key_ref != NULL && !ref_ok("--key-file", o->key_ref)))
		return 1;
	return 0;
}

/* Loads the key at ref, or generates one of type o->type. */
static int
get_key(const struct opts *o, const char *what, const char *ref, struct key *k)
{
	if (ref == NULL) {
		if (key_generate(k, o->type))
			return 1;
		warnx_("cannot generate the %s key", what);
		return 0;
	}
	if (!key_load(k, ref)) {
		warnx_("cannot load the %s key %s%s", what, ref,
		    strncmp(ref, "pkcs11:", 7) == 0 && strstr(ref, "pin-source=") == NULL ?
		    " (if the token needs a PIN, add ?pin-source=FILE to the URL)" : "");
		return 0;
	}
	if (!ca_key_type_ok(k->type) || (o->type_given && k->type != o->type)) {
		warnx_("the %s key %s is of type %s; %s", what, ref,
		    key_type_name(k->type), o->type_given ?
		    "it must be the type given with --key" :
		    "a CA key is ec256, ec384, rsa3072, rsa4096 or ed25519");
		key_free(k);
		return 0;
	}
	return 1;
}

/* 1 if a and b are the same key pair. */
static int
same_key(const struct key *a, const struct key *b)
{
	gnutls_pubkey_t	pa = NULL, pb = NULL;
	uint8_t		ia[CA_KEY_ID_LEN], ib[CA_KEY_ID_LEN];
	int		same = 0;

	if (gnutls_pubkey_init(&pa) < 0 || gnutls_pubkey_init(&pb) < 0 ||
	    gnutls_pubkey_import_privkey(pa, a->priv, 0, 0) < 0 ||
	    gnutls_pubkey_import_privkey(pb, b->priv, 0, 0) < 0 ||
	    !ca_key_id(pa, ia) || !ca_key_id(pb, ib))
		same = 1;	/* cannot tell: refuse */
	else
		same = memcmp(ia, ib, sizeof(ia)) == 0;
	if (pa != NULL)
		gnutls_pubkey_deinit(pa);
	if (pb != NULL)
		gnutls_pubkey_deinit(pb);
	return same;
}

/* Self-check: the intermediate verifies against the root. */
static int
chain_ok(gnutls_x509_crt_t issuing, gnutls_x509_crt_t root)
{
	gnutls_x509_crt_t	chain[2] = { issuing, root };
	unsigned		status = 0;

	if (gnutls_x509_crt_list_verify(chain, 2, &root, 1, NULL, 0, 0,
	    &status) < 0 || status != 0) {
		warnx_("the new intermediate does not verify against the new root "
		    "(status 0x%x)", status);
		return 0;
	}
	return 1;
}

/* Both certificates, in memory. */
struct made {
	struct ca		 root;		/* root certificate and key */
	struct key		 ikey;		/* issuing key */
	gnutls_x509_crt_t	 issuing;
	char			*root_dn, *issuing_dn;
};

static void
made_free(struct made *m)
{
	ca_free(&m->root);
	key_free(&m->ikey);
	if (m->issuing != NULL)
		gnutls_x509_crt_deinit(m->issuing);
	free(m->root_dn);
	free(m->issuing_dn);
	memset(m, 0, sizeof(*m));
}

static int
make_certs(const struct opts *o, struct made *m)
{
	gnutls_pubkey_t	pub = NULL;
	time_t		now = time(NULL), rnb, rna, inb, ina;
	int		ok = 0;

	memset(m, 0, sizeof(*m));
	if ((m->root_dn = ca_subject(o->subject, o->name, " Root CA")) == NULL ||
	    (m->issuing_dn = ca_subject(o->subject, o->name, " Issuing CA")) == NULL) {
		warnx_("invalid --subject: give an RFC 4514 name such as "
		    "\"CN=Example,O=Example Org\"");
		goto out;
	}
	if (!ca_validity(now, o->days, &rnb, &rna) ||
	    !ca_validity(now, o->days / 2, &inb, &ina))
		goto out;
	if (!get_key(o, "root", o->root_ref, &m->root.key) ||
	    !get_key(o, "issuing", o->key_ref, &m->ikey))
		goto out;
	if (same_key(&m->root.key, &m->ikey)) {
		warnx_("the root and the issuing CA need two different keys");
		goto out;
	}
	if (gnutls_pubkey_init(&pub) < 0 ||
	    gnutls_pubkey_import_privkey(pub, m->ikey.priv, 0, 0) < 0 ||
	    !ca_make_root(&m->root.key, m->root_dn, rnb, rna, &m->root.cert) ||
	    !ca_make_intermediate(&m->root, pub, m->issuing_dn, inb, ina,
	    &m->issuing) || !chain_ok(m->issuing, m->root.cert)) {
		warnx_("cannot make the CA certificates");
		goto out;
	}
	ok = 1;
out:
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	if (!ok)
		made_free(m);
	return ok;
}

static int
remember(struct created *c, const char *path, int isdir)
{
	if (c->n == CREATED_MAX || (c->path[c->n] = strdup(path)) == NULL) {
		warnx_("out of memory");
		return 0;
	}
	c->isdir[c->n++] = isdir;
	return 1;
}

/* Removes what was made, newest first, and forgets it. */
static void
undo(struct created *c)
{
	while (c->n > 0) {
		c->n--;
		if (c->isdir[c->n])
			rmdir(c->path[c->n]);
		else
			unlink(c->path[c->n]);
		free(c->path[c->n]);
	}
}

static void
forget(struct created *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->path[i]);
	c->n = 0;
}

/*
 * mkdir -p with mode 0700, remembering absolute names; an existing dir must
 * not be writable by others.
 */
static int
make_dir(const char *dir, struct created *c)
{
	char		path[PATH_MAX], cwd[PATH_MAX];
	struct stat	st;
	size_t		len;

	if (*dir != '/' && getcwd(cwd, sizeof(cwd)) == NULL) {
		warnx_("getcwd: %s", strerror(errno));
		return 0;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s%s%s", *dir == '/' ? "" : cwd,
	    *dir == '/' ? "" : "/", dir) >= sizeof(path)) {
		warnx_("%s: name too long", dir);
		return 0;
	}
	len = strlen(path);
	for (size_t i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0700) == 0) {
			if (!remember(c, path, 1)) {
				rmdir(path);
				return 0;
			}
		} else if (errno != EEXIST) {
			warnx_("cannot create directory %s: %s", path, strerror(errno));
			return 0;
		}
		path[i] = i == len ? '\0' : '/';
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		warnx_("%s is not a directory", dir);
		return 0;
	}
	if ((st.st_mode & 022) != 0) {
		warnx_("%s is writable by group or others", dir);
		return 0;
	}
	return 1;
}

static int
write_cert(const char *path, gnutls_x509_crt_t crt, struct created *c)
{
	gnutls_datum_t	pem = { NULL, 0 };
	size_t		off = 0;
	ssize_t		n;
	int		fd = -1, ok = 0;

	if (!ca_cert_pem(crt, &pem))
		goto out;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0644)) < 0) {
		warnx_("cannot create %s: %s", path, strerror(errno));
		goto out;
	}
	if (!remember(c, path, 0)) {
		unlink(path);
		goto out;
	}
	while (off < pem.size) {
		if ((n = write(fd, pem.data + off, pem.size - off)) < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			warnx_("cannot write %s: %s", path, strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	ok = fsync(fd) == 0;
	if (!ok)
		warnx_("cannot write %s: %s", path, strerror(errno));
out:
	if (fd >= 0 && close(fd) < 0)
		ok = 0;
	gnutls_free(pem.data);
	return ok;
}

static int
write_key(const char *path, const struct key *k, struct created *c)
{
	if (!key_save(k, path)) {
		warnx_("cannot write the key %s", path);
		return 0;
	}
	if (!remember(c, path, 0)) {
		unlink(path);
		return 0;
	}
	return 1;
}

/* The absolute name of an existing file, or the pkcs11: URL itself. */
static char *
abs_ref(const char *ref)
{
	char	*s;

	if (strncmp(ref, "pkcs11:", 7) == 0)
		s = strdup(ref);
	else
		s = realpath(ref, NULL);
	if (s == NULL)
		warnx_("%s: %s", ref, strerror(errno));
	return s;
}

static int
sync_dir(const char *dir)
{
	int	fd, ok;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 0;
	ok = fsync(fd) == 0;
	close(fd);
	return ok;
}

/*
 * Makes the new files and directories durable: dir, and the parent of each
 * new directory, which holds its entry.
 */
static int
sync_all(const char *dir, const struct created *c)
{
	char	parent[PATH_MAX], *slash;

	if (!sync_dir(dir))
		goto fail;
	for (size_t i = 0; i < c->n; i++) {
		if (!c->isdir[i])
			continue;
		snprintf(parent, sizeof(parent), "%s", c->path[i]);
		if ((slash = strrchr(parent, '/')) == NULL)
			snprintf(parent, sizeof(parent), ".");
		else if (slash == parent)	/* "/name": the parent is "/" */
			slash[1] = '\0';
		else
			*slash = '\0';
		if (!sync_dir(parent))
			goto fail;
	}
	return 1;
fail:
	warnx_("cannot sync the directories of %s: %s", dir, strerror(errno));
	return 0;
}

/* Where init put things: what it prints. */
struct result {
	char	*dir;			/* absolute */
	char	 root_cert[PATH_MAX];
	char	 issuing_cert[PATH_MAX];
	char	*root_key;		/* absolute file name or URL */
	char	*issuing_key;
};

/* dir "/" name into out (PATH_MAX bytes). */
static int
join(char *out, const char *dir, const char *name)
{
	if (snprintf(out, PATH_MAX, "%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/",
	    name) >= PATH_MAX) {
		warnx_("%s: name too long", dir);
		return 0;
	}
	return 1;
}

/* Writes the files of m into o->dir and fills r. */
static int
write_all(const struct opts *o, const struct made *m, struct created *c,
    struct result *r)
{
	char	rk[PATH_MAX], ik[PATH_MAX];

	if (!make_dir(o->dir, c))
		return 0;
	if ((r->dir = realpath(o->dir, NULL)) == NULL) {
		warnx_("%s: %s", o->dir, strerror(errno));
		return 0;
	}
	if (!join(rk, r->dir, "root.key") || !join(ik, r->dir, "issuing.key") ||
	    !join(r->root_cert, r->dir, "root.pem") ||
	    !join(r->issuing_cert, r->dir, "issuing.pem"))
		return 0;
	if ((o->root_ref == NULL && !write_key(rk, &m->root.key, c)) ||
	    (o->key_ref == NULL && !write_key(ik, &m->ikey, c)) ||
	    !write_cert(r->root_cert, m->root.cert, c) ||
	    !write_cert(r->issuing_cert, m->issuing, c) || !sync_all(r->dir, c))
		return 0;
	r->root_key = o->root_ref == NULL ? strdup(rk) : abs_ref(o->root_ref);
	r->issuing_key = o->key_ref == NULL ? strdup(ik) : abs_ref(o->key_ref);
	return r->root_key != NULL && r->issuing_key != NULL;
}

static void
print_result(const struct made *m, const struct created *c,
    const struct result *r)
{
	printf("dir=%s\n", r->dir);
	printf("root_cert=%s\n", r->root_cert);
	printf("issuing_cert=%s\n", r->issuing_cert);
	printf("root_key=%s\n", r->root_key);
	printf("issuing_key=%s\n", r->issuing_key);
	printf("root_key_type=%s\n", key_type_name(m->root.key.type));
	printf("key_type=%s\n", key_type_name(m->ikey.type));
	printf("subject=%s\n", m->issuing_dn);
	printf("not_after=%lld\n",
	    (long long)gnutls_x509_crt_get_expiration_time(m->issuing));
	for (size_t i = 0; i < c->n; i++)
		printf("created=%s\n", c->path[i]);
}

static int
cmd_init(int argc, char *argv[])
{
	struct opts	 o;
	struct made	 m;
	struct created	 c = { .n = 0 };
	struct result	 r;
	int		 rc;

	if ((rc = parse_init(argc, argv, &o)) != 0)
		return rc;
	if (!make_certs(&o, &m))
		return 1;
	memset(&r, 0, sizeof(r));
	rc = 1;
	if (!write_all(&o, &m, &c, &r)) {
		undo(&c);
		goto out;
	}
	print_result(&m, &c, &r);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		warnx_("cannot write to standard output");
		undo(&c);
		goto out;
	}
	rc = 0;
out:
	forget(&c);
	free(r.dir);
	free(r.root_key);
	free(r.issuing_key);
	made_free(&m);
	return rc;
}

/* Reads standard input, at most PEM_MAX bytes. */
static int
read_stdin(gnutls_datum_t *d)
{
	unsigned char	*p;
	size_t		 n;

	if ((p = malloc(PEM_MAX + 1)) == NULL)
		return 0;
	n = fread(p, 1, PEM_MAX + 1, stdin);
	if (ferror(stdin) || n > PEM_MAX) {
		warnx_("cannot read the certificates (at most %d bytes)", PEM_MAX);
		free(p);
		return 0;
	}
	d->data = p;
	d->size = (unsigned)n;
	return 1;
}

static void
print_time(const char *label, time_t t)
{
	struct tm	tm;
	char		buf[32];

	if (t == (time_t)-1 || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm) == 0)
		strcpy(buf, "?");
	printf("%12s = %s\n", label, buf);
}

static void
print_hex(const char *label, const unsigned char *p, size_t n, int colons)
{
	printf("%12s = ", label);
	for (size_t i = 0; i < n; i++) {
		if (colons)
			printf("%s%02X", i > 0 ? ":" : "", p[i]);
		else
			printf("%02x", p[i]);
	}
	printf("\n");
}

static void
print_dn(const char *label, gnutls_x509_crt_t crt, int issuer)
{
	gnutls_datum_t	d = { NULL, 0 };

	if ((issuer ? gnutls_x509_crt_get_issuer_dn3(crt, &d, 0) :
	    gnutls_x509_crt_get_dn3(crt, &d, 0)) < 0)
		printf("%12s = ?\n", label);
	else
		printf("%12s = %s\n", label, (const char *)d.data);
	gnutls_free(d.data);
}

/* Which kind of certificate: root (self-signed CA), intermediate, leaf. */
static const char *
role(gnutls_x509_crt_t crt)
{
	unsigned	crit, ca = 0;
	int		pathlen;

	if (gnutls_x509_crt_get_basic_constraints(crt, &crit, &ca, &pathlen) < 0 || !ca)
		return "leaf";
	return gnutls_x509_crt_check_issuer(crt, crt) ? "root" : "intermediate";
}

static void
describe_one(gnutls_x509_crt_t crt)
{
	gnutls_pubkey_t	pub = NULL;
	unsigned char	buf[64];
	size_t		len;
	int		sa;

	printf("%12s = %s\n", "certificate", role(crt));
	print_dn("subject", crt, 0);
	print_dn("issuer", crt, 1);
	len = sizeof(buf);
	if (gnutls_x509_crt_get_serial(crt, buf, &len) >= 0)
		print_hex("serial", buf, len, 0);
	print_time("not_before", gnutls_x509_crt_get_activation_time(crt));
	print_time("not_after", gnutls_x509_crt_get_expiration_time(crt));
	if (gnutls_pubkey_init(&pub) >= 0 &&
	    gnutls_pubkey_import_x509(pub, crt, 0) >= 0)
		printf("%12s = %s\n", "key_type",
		    key_type_name(key_type_of_pubkey(pub)));
	if (pub != NULL)
		gnutls_pubkey_deinit(pub);
	sa = gnutls_x509_crt_get_signature_algorithm(crt);
	printf("%12s = %s\n", "signature", sa >= 0 &&
	    gnutls_sign_get_name((gnutls_sign_algorithm_t)sa) != NULL ?
	    gnutls_sign_get_name((gnutls_sign_algorithm_t)sa) : "?");
	len = sizeof(buf);
	if (gnutls_x509_crt_get_fingerprint(crt, GNUTLS_DIG_SHA256, buf, &len) >= 0)
		print_hex("sha256", buf, len, 1);
	len = sizeof(buf);
	if (gnutls_x509_crt_get_key_id(crt, GNUTLS_KEYID_USE_SHA256, buf, &len) >= 0)
		print_hex("key_sha256", buf, len, 1);
}

static int
cmd_describe(int argc, char *argv[])
{
	gnutls_datum_t		 pem = { NULL, 0 };
	gnutls_x509_crt_t	*crts = NULL;
	unsigned		 n = 0;
	int			 rc;

	(void)argv;
	if (argc != 0)
		return usage();
	if (!read_stdin(&pem))
		return 1;
	rc = gnutls_x509_crt_list_import2(&crts, &n, &pem, GNUTLS_X509_FMT_PEM, 0);
	free(pem.data);
	if (rc < 0 || n == 0) {
		warnx_("no certificate: %s", rc < 0 ? gnutls_strerror(rc) : "empty input");
		return 1;
	}
	for (unsigned i = 0; i < n; i++) {
		if (i > 0)
			printf("\n");
		describe_one(crts[i]);
		gnutls_x509_crt_deinit(crts[i]);
	}
	gnutls_free(crts);
	return fflush(stdout) == 0 ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	int	rc;

	log_init(PROG, 0, LOG_LVL_ERR);
	if (argc < 2)
		return usage();
	if (gnutls_global_init() < 0) {
		warnx_("cannot initialise GnuTLS");
		return 1;
	}
	if (strcmp(argv[1], "init") == 0)
		rc = cmd_init(argc - 2, argv + 2);
	else if (strcmp(argv[1], "describe") == 0)
		rc = cmd_describe(argc - 2, argv + 2);
	else
		rc = usage();
	gnutls_global_deinit();
	return rc;
}
