/*
 * test_solver.c - the managed challenges' solvers (core/solver.c): the
 * argument vectors, every refused value (and that nothing ran or was
 * written for it), real hook and rfc2136 runs through small shell scripts
 * (exit status, timeout, bounded output, the child's environment and
 * descriptors), the webroot files, and the propagation wait and check (a
 * silent server; a real authoritative server when knotd is installed).
 */
#include "autoconfig.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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

#include "buf.h"
#include "problem.h"
#include "solver.h"
#include "testutil.h"

/* RFC 8555 §8.3's example token, a thumbprint, and a TXT value. */
#define TOKEN	"evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA"
#define THUMB	"9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI"
#define KEYAUTH	TOKEN "." THUMB
#define TXT	"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"
#define DOMAIN	"www.example.com"

#define PATH_LEN	512

static char	dir[PATH_LEN];		/* the group's temporary directory */
static int	leak_fd = -1;		/* a descriptor the children must not get */

static void
path_of(char *out, const char *name)
{
	if ((size_t)snprintf(out, PATH_LEN, "%s/%s", dir, name) >= PATH_LEN)
		fail_msg("path too long");
}

/* The whole content of file name in dir, or NULL (malloc'd). */
static char *
slurp(const char *name)
{
	char	 path[PATH_LEN], *s;
	FILE	*f;
	long	 n;

	path_of(path, name);
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (s = calloc(1, (size_t)n + 1)) == NULL) {
		fclose(f);
		return NULL;
	}
	if (fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		s = NULL;
	}
	fclose(f);
	return s;
}

static int
exists(const char *name)
{
	char		path[PATH_LEN];
	struct stat	sb;

	path_of(path, name);
	return lstat(path, &sb) == 0;
}

static void
remove_file(const char *name)
{
	char path[PATH_LEN];

	path_of(path, name);
	(void)unlink(path);
}

/* Writes an executable /bin/sh script called name whose body is fmt. */
static void
script(const char *name, const char *fmt, ...)
{
	char	 path[PATH_LEN];
	FILE	*f;
	va_list	 ap;

	path_of(path, name);
	(void)unlink(path);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "#!/bin/sh\n");
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0755), 0);
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path) == 0 ? 0 : -1;
}

static int
group_setup(void **state)
{
	const char	*tmp = getenv("TMPDIR");
	char		 path[PATH_LEN];

	(void)state;
	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	if ((size_t)snprintf(dir, sizeof(dir), "%s/acme-solver.XXXXXX", tmp) >=
	    sizeof(dir) || mkdtemp(dir) == NULL)
		return -1;
	/* Inherited by fork(), never close-on-exec: the children must not see it. */
	path_of(path, "leak");
	if ((leak_fd = open(path, O_WRONLY | O_CREAT, 0600)) < 0)
		return -1;
	/* Nor may they see the test's environment. */
	setenv("ACME_UNIT_SECRET", "do-not-pass", 1);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	if (leak_fd >= 0)
		close(leak_fd);
	if (dir[0] != '\0')
		(void)nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/*
 * The "record" program: its arguments, one a line after their count, to
 * args; a line to marker; its environment, whether leak_fd is open and
 * what its standard input is to files; then two lines of output.
 */
static void
record_script(const char *name)
{
	script(name,
	    "printf '%%s\\n' \"$#\" \"$@\" > '%s/args'\n"
	    "echo ran >> '%s/marker'\n"
	    "env > '%s/env'\n"
	    "[ -e /proc/$$/fd/%d ] && r=open || r=closed\n"
	    "echo $r > '%s/fd'\n"
	    "readlink /proc/$$/fd/0 > '%s/stdin'\n"
	    "echo \"deployed $3\"\n"
	    "echo 'to stderr' >&2\n",
	    dir, dir, dir, leak_fd, dir, dir);
}

static void
hook_solver(struct solver *s, const char *type, const char *prog)
{
	static char path[PATH_LEN];

	memset(s, 0, sizeof(*s));
	path_of(path, prog);
	s->name = "unit";
	s->kind = SOLVER_HOOK;
	s->type = type;
	s->hook = path;
	s->timeout = 10;
}

static void
rfc2136_solver(struct solver *s, const char *zone, const char *prog)
{
	static char path[PATH_LEN];

	memset(s, 0, sizeof(*s));
	path_of(path, prog);
	s->name = "dyn";
	s->kind = SOLVER_RFC2136;
	s->type = "dns-01";
	s->server = "ns1.example.com";
	s->port = 5353;
	s->tsig_key = "/etc/acme-fcgi/tsig.key";
	s->zone = zone;
	s->rfc2136_prog = path;
	s->timeout = 10;
}

static void
webroot_solver(struct solver *s, const char *root)
{
	static char path[PATH_LEN];

	memset(s, 0, sizeof(*s));
	path_of(path, root);
	s->name = "web";
	s->kind = SOLVER_WEBROOT;
	s->type = "http-01";
	s->webroot = path;
}

static void
assert_argv(char **argv, const char *const *want)
{
	size_t i;

	assert_non_null(argv);
	for (i = 0; want[i] != NULL; i++) {
		if (argv[i] == NULL)
			fail_msg("argv[%zu] missing, want \"%s\"", i, want[i]);
		assert_string_equal(argv[i], want[i]);
	}
	if (argv[i] != NULL)
		fail_msg("argv[%zu] \"%s\" too many", i, argv[i]);
}

/* The args file as one string, its lines joined with '|'. */
static char *
recorded_args(void)
{
	char *s = slurp("args");

	assert_non_null(s);
	for (char *c = s; *c != '\0'; c++)
		if (*c == '\n')
			*c = '|';
	return s;
}

/* --- argument vectors --------------------------------------------------------- */

static void
test_argv_hook(void **state)
{
	struct solver	 s;
	struct problem	 p;
	char		**argv;
	char		 want0[PATH_LEN];
	const char	*want[] = { want0, "deploy", "dns-01", DOMAIN, TOKEN, TXT,
			    NULL };
	const char	*want_http[] = { want0, "clean", "http-01", DOMAIN, TOKEN,
			    KEYAUTH, NULL };

	(void)state;
	memset(&p, 0, sizeof(p));
	hook_solver(&s, "dns-01", "record");
	path_of(want0, "record");
	argv = solver_argv(&s, SOLVER_DEPLOY, DOMAIN, TOKEN, TXT, &p);
	assert_argv(argv, want);
	solver_argv_free(argv);
	assert_string_equal(solver_program(&s), want0);

	hook_solver(&s, "http-01", "record");
	argv = solver_argv(&s, SOLVER_CLEAN, DOMAIN, TOKEN, KEYAUTH, &p);
	assert_argv(argv, want_http);
	solver_argv_free(argv);
	assert_int_equal(p.type, PROB_NONE);
}

static void
test_argv_rfc2136(void **state)
{
	struct solver	 s;
	struct problem	 p;
	char		**argv;
	const char	*want[] = { "rfc2136-solver", "--server", "ns1.example.com",
			    "--port", "5353", "--tsig-key", "/etc/acme-fcgi/tsig.key",
			    "deploy", "dns-01", DOMAIN, TOKEN, TXT, NULL };
	const char	*want_zone[] = { "rfc2136-solver", "--server",
			    "ns1.example.com", "--port", "5353", "--tsig-key",
			    "/etc/acme-fcgi/tsig.key", "--zone", "example.com",
			    "clean", "dns-01", DOMAIN, TOKEN, TXT, NULL };

	(void)state;
	memset(&p, 0, sizeof(p));
	rfc2136_solver(&s, NULL, "record");
	argv = solver_argv(&s, SOLVER_DEPLOY, DOMAIN, TOKEN, TXT, &p);
	assert_argv(argv, want);
	solver_argv_free(argv);

	rfc2136_solver(&s, "example.com", "record");
	argv = solver_argv(&s, SOLVER_CLEAN, DOMAIN, TOKEN, TXT, &p);
	assert_argv(argv, want_zone);
	solver_argv_free(argv);
	assert_int_equal(p.type, PROB_NONE);

	/* Unset, the program is the installed one. */
	s.rfc2136_prog = NULL;
	assert_string_equal(solver_program(&s), LIBEXECDIR "/rfc2136-solver");
}

static void
test_argv_webroot(void **state)
{
	struct solver	s;
	struct problem	p;

	(void)state;
	memset(&p, 0, sizeof(p));
	webroot_solver(&s, "www");
	assert_null(solver_argv(&s, SOLVER_DEPLOY, DOMAIN, TOKEN, KEYAUTH, &p));
	assert_problem(&p, PROB_SERVER_INTERNAL, "runs no program");
	assert_null(solver_program(&s));
}

/* --- refusals --------------------------------------------------------------- */

/*
 * s refuses the challenge with a problem containing why, in solver_argv()
 * and solver_run(), and nothing ran: no marker file, nothing below the
 * webroot.
 */
static void
refused(const struct solver *s, const char *domain, const char *token,
    const char *value, const char *why)
{
	struct problem	 p;
	struct buf	 out = { 0 };
	char		**argv;

	memset(&p, 0, sizeof(p));
	argv = solver_argv(s, SOLVER_DEPLOY, domain, token, value, &p);
	if (argv != NULL)
		fail_msg("accepted domain \"%s\" token \"%s\" value \"%s\"",
		    domain ? domain : "(null)", token ? token : "(null)",
		    value ? value : "(null)");
	assert_problem(&p, PROB_SERVER_INTERNAL, why);
	for (int op = SOLVER_DEPLOY; op <= SOLVER_CLEAN; op++) {
		memset(&p, 0, sizeof(p));
		if (solver_run(s, (enum solver_op)op, domain, token, value, &out,
		    &p))
			fail_msg("ran domain \"%s\" token \"%s\" value \"%s\"",
			    domain ? domain : "(null)", token ? token : "(null)",
			    value ? value : "(null)");
		assert_problem(&p, PROB_SERVER_INTERNAL, why);
	}
	assert_int_equal(out.len, 0);
	buf_free(&out);
	assert_false(exists("marker"));
	assert_false(exists("args"));
	assert_false(exists("refused-root/.well-known"));
}

static const char *const bad_names[] = {
	"", "Example.com", "WWW.EXAMPLE.COM", "-a.example.com",
	"a-.example.com", "a..example.com", "example.com.", ".example.com",
	"a b.example.com", "$(id).example.com", "a;id.example.com",
	"`id`.example.com", "../etc", "a/b.example.com", "a\nb.example.com",
	"*.example.com", "a_b.example.com", "a'b.example.com", "a\"b.com",
	"a|b.com", "a&b.com", "a>b.com", "a\\b.com", "a\tb.com",
	"\xc3\xa9t\xc3\xa9.example.com",
	/* a label of 64 */
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com",
};

static const char *const bad_tokens[] = {
	"", "a b", "$(id)", ";", "`id`", "../x", "a/b", "a\nb", "*", "tok=",
	"a.b", "a+b", "a'b", "a\"b", "a|b", "a&b", "a\\b", "~", "a\tb",
};

static void
test_refused_domain(void **state)
{
	struct solver	s[3];
	char		long_name[300];

	(void)state;
	hook_solver(&s[0], "dns-01", "record");
	record_script("record");
	rfc2136_solver(&s[1], NULL, "record");
	webroot_solver(&s[2], "refused-root");
	assert_int_equal(mkdir(s[2].webroot, 0755) == 0 || errno == EEXIST, 1);

	for (size_t k = 0; k < nitems(s); k++) {
		const char *v = k == 2 ? KEYAUTH : TXT;

		for (size_t i = 0; i < nitems(bad_names); i++)
			refused(&s[k], bad_names[i], TOKEN, v, "refused domain");
		refused(&s[k], NULL, TOKEN, v, "refused domain");
		/* 254 characters: one too many. */
		memset(long_name, 0, sizeof(long_name));
		for (size_t i = 0; i < 254; i++)
			long_name[i] = i % 4 == 3 ? '.' : 'a';
		long_name[253] = 'a';
		refused(&s[k], long_name, TOKEN, v, "refused domain");
	}
	/* With "_acme-challenge." in front, 238 no longer fits in DNS. */
	memset(long_name, 0, sizeof(long_name));
	for (size_t i = 0; i < 238; i++)
		long_name[i] = i % 4 == 3 ? '.' : 'a';
	long_name[237] = 'a';
	refused(&s[0], long_name, TOKEN, TXT, "refused domain");
	long_name[237] = '\0';
	long_name[236] = 'a';
	{
		struct problem	 p;
		char		**argv;

		memset(&p, 0, sizeof(p));
		argv = solver_argv(&s[0], SOLVER_DEPLOY, long_name, TOKEN, TXT, &p);
		assert_non_null(argv);
		solver_argv_free(argv);
		/* A single label is a name too (as in a test zone). */
		argv = solver_argv(&s[0], SOLVER_DEPLOY, "localhost", TOKEN, TXT, &p);
		assert_non_null(argv);
		solver_argv_free(argv);
	}
}

static void
test_refused_token(void **state)
{
	struct solver	s[3];
	char		long_token[SOLVER_TOKEN_MAX + 2];

	(void)state;
	hook_solver(&s[0], "dns-01", "record");
	record_script("record");
	rfc2136_solver(&s[1], NULL, "record");
	webroot_solver(&s[2], "refused-root");
	assert_int_equal(mkdir(s[2].webroot, 0755) == 0 || errno == EEXIST, 1);
	memset(long_token, 'A', sizeof(long_token));
	long_token[SOLVER_TOKEN_MAX + 1] = '\0';

	for (size_t k = 0; k < nitems(s); k++) {
		for (size_t i = 0; i < nitems(bad_tokens); i++) {
			char	v[512];

			/* For http-01 the key authorization fits the token. */
			snprintf(v, sizeof(v), "%s.%s", bad_tokens[i], THUMB);
			refused(&s[k], DOMAIN, bad_tokens[i], k == 2 ? v : TXT,
			    "refused token");
		}
		refused(&s[k], DOMAIN, NULL, k == 2 ? KEYAUTH : TXT,
		    "refused token");
		refused(&s[k], DOMAIN, long_token, TXT, "refused token");
	}
}

static void
test_refused_value(void **state)
{
	static const char *const bad_txt[] = {
		"", TXT "A", "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX",
		"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX=",
		"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEu+0",
		"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEu/0",
		"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAj $(id)",
		"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjE;id",
		"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAj`id`",
		"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEu\n0",
		"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEu*0",
		KEYAUTH,
	};
	static const char *const bad_keyauth[] = {
		"", TOKEN, TOKEN ".", "." THUMB, THUMB "." THUMB,
		TOKEN "." THUMB "A", TOKEN "." THUMB ".x",
		TOKEN "." "9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqT",
		TOKEN "." "9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21m $(id)",
		TOKEN "." "9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mq;I",
		TOKEN "." "9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21m`I`",
		TOKEN "." "../../../../../../../../../../../../etc/pass",
		TOKEN "A." THUMB, "x" TOKEN "." THUMB, TXT,
	};
	struct solver	s[3];

	(void)state;
	hook_solver(&s[0], "dns-01", "record");
	record_script("record");
	rfc2136_solver(&s[1], NULL, "record");
	for (size_t k = 0; k < 2; k++) {
		for (size_t i = 0; i < nitems(bad_txt); i++)
			refused(&s[k], DOMAIN, TOKEN, bad_txt[i],
			    "refused TXT value");
		refused(&s[k], DOMAIN, TOKEN, NULL, "no value");
	}
	hook_solver(&s[0], "http-01", "record");
	webroot_solver(&s[2], "refused-root");
	assert_int_equal(mkdir(s[2].webroot, 0755) == 0 || errno == EEXIST, 1);
	for (size_t k = 0; k < 3; k += 2)
		for (size_t i = 0; i < nitems(bad_keyauth); i++)
			refused(&s[k], DOMAIN, TOKEN, bad_keyauth[i],
			    "refused key authorization");
}

static void
test_refused_type(void **state)
{
	struct solver	s;

	(void)state;
	record_script("record");
	rfc2136_solver(&s, NULL, "record");
	s.type = "http-01";
	refused(&s, DOMAIN, TOKEN, KEYAUTH, "dns-01 only");
	webroot_solver(&s, "refused-root");
	assert_int_equal(mkdir(s.webroot, 0755) == 0 || errno == EEXIST, 1);
	s.type = "dns-01";
	refused(&s, DOMAIN, TOKEN, TXT, "http-01 only");
	hook_solver(&s, "tls-alpn-01", "record");
	refused(&s, DOMAIN, TOKEN, TXT, "unknown challenge type");
	s.type = NULL;
	refused(&s, DOMAIN, TOKEN, TXT, "unknown challenge type");
	hook_solver(&s, "dns-01", "record");
	s.kind = (enum solver_kind)7;
	refused(&s, DOMAIN, TOKEN, TXT, "unknown solver");
}

static void
test_refused_settings(void **state)
{
	struct solver	s;

	(void)state;
	record_script("record");
	hook_solver(&s, "dns-01", "record");
	s.hook = "record";
	refused(&s, DOMAIN, TOKEN, TXT, "not an absolute file name");
	s.hook = NULL;
	refused(&s, DOMAIN, TOKEN, TXT, "not an absolute file name");

	rfc2136_solver(&s, NULL, "record");
	s.server = "-x";
	refused(&s, DOMAIN, TOKEN, TXT, "invalid rfc2136 settings");
	s.server = "ns1.example.com;id";
	refused(&s, DOMAIN, TOKEN, TXT, "invalid rfc2136 settings");
	s.server = "ns1 example.com";
	refused(&s, DOMAIN, TOKEN, TXT, "invalid rfc2136 settings");
	rfc2136_solver(&s, NULL, "record");
	s.port = 0;
	refused(&s, DOMAIN, TOKEN, TXT, "invalid rfc2136 settings");
	s.port = 65536;
	refused(&s, DOMAIN, TOKEN, TXT, "invalid rfc2136 settings");
	rfc2136_solver(&s, NULL, "record");
	s.tsig_key = "tsig.key";
	refused(&s, DOMAIN, TOKEN, TXT, "invalid rfc2136 settings");
	rfc2136_solver(&s, "Example.com", "record");
	refused(&s, DOMAIN, TOKEN, TXT, "invalid rfc2136 settings");
	rfc2136_solver(&s, "$(id)", "record");
	refused(&s, DOMAIN, TOKEN, TXT, "invalid rfc2136 settings");
	rfc2136_solver(&s, NULL, "record");
	s.rfc2136_prog = "rfc2136-solver";
	refused(&s, DOMAIN, TOKEN, TXT, "invalid rfc2136 settings");

	webroot_solver(&s, "refused-root");
	s.webroot = "refused-root";
	refused(&s, DOMAIN, TOKEN, KEYAUTH, "not an absolute directory");
}

/* --- running programs --------------------------------------------------------- */

static void
test_hook_success(void **state)
{
	struct solver	 s;
	struct problem	 p;
	struct buf	 out = { 0 };
	char		*args, *env, *fd, *in, want[1024];

	(void)state;
	record_script("record");
	hook_solver(&s, "dns-01", "record");
	memset(&p, 0, sizeof(p));
	assert_int_equal(solver_run(&s, SOLVER_DEPLOY, DOMAIN, TOKEN, TXT, &out,
	    &p), 1);
	assert_int_equal(p.type, PROB_NONE);
	/* Both outputs, in order, through the one pipe. */
	assert_string_equal(out.p, "deployed " DOMAIN "\nto stderr\n");

	/* Exactly five arguments, each one word. */
	args = recorded_args();
	assert_string_equal(args, "5|deploy|dns-01|" DOMAIN "|" TOKEN "|" TXT "|");
	free(args);

	/* The environment: PATH and the managed challenge's name, no more. */
	assert_non_null(env = slurp("env"));
	assert_contains(env, "PATH=/usr/local/bin:/usr/bin:/bin\n");
	assert_contains(env, "ACME_MANAGED_CHALLENGE=unit\n");
	assert_null(strstr(env, "ACME_UNIT_SECRET"));
	assert_null(strstr(env, "HOME="));
	free(env);
	/* No inherited descriptor; /dev/null in. */
	assert_non_null(fd = slurp("fd"));
	assert_string_equal(fd, "closed\n");
	free(fd);
	assert_non_null(in = slurp("stdin"));
	assert_string_equal(in, "/dev/null\n");
	free(in);

	/* Appended: a second run adds to what out has. */
	remove_file("marker");
	hook_solver(&s, "http-01", "record");
	assert_int_equal(solver_run(&s, SOLVER_CLEAN, DOMAIN, TOKEN, KEYAUTH, &out,
	    &p), 1);
	snprintf(want, sizeof(want), "deployed %s\nto stderr\ndeployed %s\nto "
	    "stderr\n", DOMAIN, DOMAIN);
	assert_string_equal(out.p, want);
	args = recorded_args();
	assert_string_equal(args, "5|clean|http-01|" DOMAIN "|" TOKEN "|" KEYAUTH
	    "|");
	free(args);
	/* out may be NULL. */
	assert_int_equal(solver_run(&s, SOLVER_CLEAN, DOMAIN, TOKEN, KEYAUTH, NULL,
	    &p), 1);
	buf_free(&out);
	remove_file("marker");
	remove_file("args");
}

static void
test_hook_exit_status(void **state)
{
	struct solver	s;
	struct problem	p;
	struct buf	out = { 0 };

	(void)state;
	script("fail3", "echo\necho '  the zone is read-only  '\necho second\n"
	    "exit 3\n");
	hook_solver(&s, "dns-01", "fail3");
	memset(&p, 0, sizeof(p));
	assert_int_equal(solver_run(&s, SOLVER_DEPLOY, DOMAIN, TOKEN, TXT, &out,
	    &p), 0);
	assert_problem(&p, PROB_SERVER_INTERNAL, "managed challenge \"unit\": "
	    "hook exited with status 3: the zone is read-only");
	assert_null(strstr(p.detail, "second"));
	assert_string_equal(out.p, "\n  the zone is read-only  \nsecond\n");
	buf_free(&out);

	/* Without output, the status alone; without out, the same. */
	script("fail1", "exit 1\n");
	hook_solver(&s, "dns-01", "fail1");
	memset(&p, 0, sizeof(p));
	assert_int_equal(solver_run(&s, SOLVER_CLEAN, DOMAIN, TOKEN, TXT, NULL,
	    &p), 0);
	assert_string_equal(p.detail, "managed challenge \"unit\": hook exited "
	    "with status 1");

	/* Death by a signal is a failure too. */
	script("killself", "echo dying\nkill -KILL $$\n");
	hook_solver(&s, "dns-01", "killself");
	memset(&p, 0, sizeof(p));
	assert_int_equal(solver_run(&s, SOLVER_DEPLOY, DOMAIN, TOKEN, TXT, NULL,
	    &p), 0);
	assert_problem(&p, PROB_SERVER_INTERNAL, "hook was killed by signal 9: dying");
}

static void
test_hook_not_executable(void **state)
{
	struct solver	s;
	struct problem	p;
	char		path[PATH_LEN];

	(void)state;
	script("noexec", "exit 0\n");
	path_of(path, "noexec");
	assert_int_equal(chmod(path, 0644), 0);
	hook_solver(&s, "dns-01", "noexec");
	memset(&p, 0, sizeof(p));
	assert_int_equal(solver_run(&s, SOLVER_DEPLOY, DOMAIN, TOKEN, TXT, NULL,
	    &p), 0);
	assert_problem(&p, PROB_SERVER_INTERNAL, "cannot execute hook");
	assert_contains(p.detail, "Permission denied");

	hook_solver(&s, "dns-01", "missing");
	memset(&p, 0, sizeof(p));
	assert_int_equal(solver_run(&s, SOLVER_DEPLOY, DOMAIN, TOKEN, TXT, NULL,
	    &p), 0);
	assert_problem(&p, PROB_SERVER_INTERNAL, "No such file");
	/* Reaped as well. */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* pid is gone or a zombie waiting for init: not running any more. */
static int
not_running(pid_t pid)
{
	char	path[64], buf[256], *rp;
	FILE	*f;
	int	running;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 1;
	running = fgets(buf, sizeof(buf), f) != NULL &&
	    (rp = strrchr(buf, ')')) != NULL && rp[1] == ' ' && rp[2] != 'Z' &&
	    rp[2] != 'X';
	fclose(f);
	return !running;
}

/* Runs a hook that outlives timeout 1: killed, reaped, in good time. */
static void
timed_out(const char *prog, int64_t min_ms, int64_t max_ms)
{
	struct solver	 s;
	struct problem	 p;
	struct buf	 out = { 0 };
	char		*pid;
	int64_t		 t0, ms;

	hook_solver(&s, "dns-01", prog);
	s.timeout = 1;
	memset(&p, 0, sizeof(p));
	remove_file("sleeppid");
	t0 = mono_ms();
	assert_int_equal(solver_run(&s, SOLVER_DEPLOY, DOMAIN, TOKEN, TXT, &out,
	    &p), 0);
	ms = mono_ms() - t0;
	if (ms < min_ms || ms > max_ms)
		fail_msg("took %lld ms, want %lld..%lld", (long long)ms,
		    (long long)min_ms, (long long)max_ms);
	assert_problem(&p, PROB_SERVER_INTERNAL, "hook timed out after 1 seconds");
	assert_contains(p.detail, "waiting");
	assert_string_equal(out.p, "waiting\n");
	buf_free(&out);
	/* No zombie of ours left... */
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	/* ...and the hook's own child was killed with its group. */
	assert_non_null(pid = slurp("sleeppid"));
	for (int i = 0; i < 100 && !not_running((pid_t)atol(pid)); i++)
		usleep(10000);
	assert_true(not_running((pid_t)atol(pid)));
	free(pid);
}

static void
test_hook_timeout(void **state)
{
	(void)state;
	script("sleeper", "echo waiting\nsleep 30 &\necho $! > '%s/sleeppid'\n"
	    "wait\n", dir);
	timed_out("sleeper", 900, 2500);
}

static void
test_hook_timeout_term_ignored(void **state)
{
	(void)state;
	/* SIGTERM ignored by the script and, inherited, by sleep: SIGKILL. */
	script("stubborn", "trap '' TERM\necho waiting\nsleep 30 &\n"
	    "echo $! > '%s/sleeppid'\nwait\n", dir);
	timed_out("stubborn", 900 + SOLVER_KILL_GRACE * 1000,
	    1000 + SOLVER_KILL_GRACE * 1000 + 2000);
}

static void
test_hook_output_bounded(void **state)
{
	struct solver	s;
	struct problem	p;
	struct buf	out = { 0 };
	int64_t		t0;

	(void)state;
	/* 1 MiB: far more than a pipe holds, so it blocks unless drained. */
	script("chatty", "head -c 1048576 /dev/zero | tr '\\000' a\necho\n"
	    "echo end\n");
	hook_solver(&s, "dns-01", "chatty");
	memset(&p, 0, sizeof(p));
	t0 = mono_ms();
	assert_int_equal(solver_run(&s, SOLVER_DEPLOY, DOMAIN, TOKEN, TXT, &out,
	    &p), 1);
	assert_true(mono_ms() - t0 < 5000);
	assert_int_equal(out.len, SOLVER_OUTPUT_MAX);
	assert_int_equal(strspn(out.p, "a"), SOLVER_OUTPUT_MAX);
	buf_free(&out);

	/* Bounded on failure too, and the detail stays within its size. */
	script("chatty", "head -c 1048576 /dev/zero | tr '\\000' b\nexit 2\n");
	memset(&p, 0, sizeof(p));
	assert_int_equal(solver_run(&s, SOLVER_DEPLOY, DOMAIN, TOKEN, TXT, &out,
	    &p), 0);
	assert_int_equal(out.len, SOLVER_OUTPUT_MAX);
	assert_problem(&p, PROB_SERVER_INTERNAL, "exited with status 2: bbbb");
	assert_true(strlen(p.detail) < PROBLEM_DETAIL_MAX);
	buf_free(&out);
}

static void
test_hook_output_sanitized(void **state)
{
	struct solver	s;
	struct problem	p;
	struct buf	out = { 0 };

	(void)state;
	script("controls", "printf 'a\\033[31mb\\r\\n\\tc\\001\\000d\\177\\n'\n"
	    "exit 4\n");
	hook_solver(&s, "dns-01", "controls");
	memset(&p, 0, sizeof(p));
	assert_int_equal(solver_run(&s, SOLVER_DEPLOY, DOMAIN, TOKEN, TXT, &out,
	    &p), 0);
	assert_int_equal(out.len, 16);
	assert_memory_equal(out.p, "a?[31mb?\n\tc??d?\n", 16);
	assert_problem(&p, PROB_SERVER_INTERNAL, "status 4: a?[31mb?");
	buf_free(&out);
}

static void
test_rfc2136_prog(void **state)
{
	struct solver	 s;
	struct problem	 p;
	struct buf	 out = { 0 };
	char		*args, *env;

	(void)state;
	record_script("fake-rfc2136");
	rfc2136_solver(&s, NULL, "fake-rfc2136");
	memset(&p, 0, sizeof(p));
	assert_int_equal(solver_run(&s, SOLVER_DEPLOY, DOMAIN, TOKEN, TXT, &out,
	    &p), 1);
	args = recorded_args();
	assert_string_equal(args, "11|--server|ns1.example.com|--port|5353|"
	    "--tsig-key|/etc/acme-fcgi/tsig.key|deploy|dns-01|" DOMAIN "|" TOKEN
	    "|" TXT "|");
	free(args);
	assert_non_null(env = slurp("env"));
	assert_contains(env, "ACME_MANAGED_CHALLENGE=dyn\n");
	free(env);
	/* "deployed $3": the program's output is captured as a hook's. */
	assert_string_equal(out.p, "deployed --port\nto stderr\n");
	buf_free(&out);

	rfc2136_solver(&s, "example.com", "fake-rfc2136");
	assert_int_equal(solver_run(&s, SOLVER_CLEAN, DOMAIN, TOKEN, TXT, NULL,
	    &p), 1);
	args = recorded_args();
	assert_string_equal(args, "13|--server|ns1.example.com|--port|5353|"
	    "--tsig-key|/etc/acme-fcgi/tsig.key|--zone|example.com|clean|dns-01|"
	    DOMAIN "|" TOKEN "|" TXT "|");
	free(args);

	/* Its failures name it. */
	script("fake-rfc2136", "echo 'rfc2136-solver: update failed: REFUSED' >&2\n"
	    "exit 1\n");
	memset(&p, 0, sizeof(p));
	assert_int_equal(solver_run(&s, SOLVER_DEPLOY, DOMAIN, TOKEN, TXT, NULL,
	    &p), 0);
	assert_problem(&p, PROB_SERVER_INTERNAL, "managed challenge \"dyn\": "
	    "rfc2136-solver exited with status 1: rfc2136-solver: update failed: "
	    "REFUSED");
	remove_file("marker");
	remove_file("args");
}

/* --- webroot ------------------------------------------------------------------ */

static void
test_webroot_deploy_clean(void **state)
{
	struct solver	 s;
	struct problem	 p;
	struct stat	 sb;
	char		 path[PATH_LEN], *content;
	mode_t		 old;
	int		 n = 0;

	(void)state;
	webroot_solver(&s, "www");
	assert_int_equal(mkdir(s.webroot, 0755), 0);
	memset(&p, 0, sizeof(p));
	/* A strict umask must not hide the file from the web server. */
	old = umask(077);
	assert_int_equal(solver_run(&s, SOLVER_DEPLOY, DOMAIN, TOKEN, KEYAUTH, NULL,
	    &p), 1);
	umask(old);
	assert_int_equal(p.type, PROB_NONE);
	assert_non_null(content = slurp("www/.well-known/acme-challenge/" TOKEN));
	assert_string_equal(content, KEYAUTH);
	free(content);
	path_of(path, "www/.well-known/acme-challenge/" TOKEN);
	assert_int_equal(lstat(path, &sb), 0);
	assert_true(S_ISREG(sb.st_mode));
	assert_int_equal(sb.st_mode & 07777, 0644);
	path_of(path, "www/.well-known");
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0755);
	path_of(path, "www/.well-known/acme-challenge");
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0755);

	/* Deployed again: replaced whole; no temporary file left behind. */
	assert_int_equal(solver_run(&s, SOLVER_DEPLOY, DOMAIN, TOKEN, KEYAUTH, NULL,
	    &p), 1);
	{
		DIR		*d;
		struct dirent	*e;

		assert_non_null(d = opendir(path));
		while ((e = readdir(d)) != NULL)
			if (e->d_name[0] != '.' || (strcmp(e->d_name, ".") != 0 &&
			    strcmp(e->d_name, "..") != 0))
				n++;
		closedir(d);
	}
	assert_int_equal(n, 1);

	assert_int_equal(solver_run(&s, SOLVER_CLEAN, DOMAIN, TOKEN, KEYAUTH, NULL,
	    &p), 1);
	assert_false(exists("www/.well-known/acme-challenge/" TOKEN));
	/* Cleaning what is not there is no failure. */
	assert_int_equal(solver_run(&s, SOLVER_CLEAN, DOMAIN, TOKEN, KEYAUTH, NULL,
	    &p), 1);
	assert_int_equal(p.type, PROB_NONE);
	/* Not even without the directories. */
	webroot_solver(&s, "www2");
	assert_int_equal(mkdir(s.webroot, 0755), 0);
	assert_int_equal(solver_run(&s, SOLVER_CLEAN, DOMAIN, TOKEN, KEYAUTH, NULL,
	    &p), 1);
	assert_false(exists("www2/.well-known"));
	assert_int_equal(p.type, PROB_NONE);
}

static void
test_webroot_symlink(void **state)
{
	struct solver	 s;
	struct problem	 p;
	struct stat	 sb;
	char		 victim[PATH_LEN], link[PATH_LEN], *content;

	(void)state;
	webroot_solver(&s, "www-link");
	assert_int_equal(mkdir(s.webroot, 0755), 0);
	memset(&p, 0, sizeof(p));
	/* Make the directories, then plant a link where the file goes. */
	assert_int_equal(solver_run(&s, SOLVER_CLEAN, DOMAIN, "other", "other."
	    THUMB, NULL, &p), 1);
	assert_int_equal(solver_run(&s, SOLVER_DEPLOY, DOMAIN, "other", "other."
	    THUMB, NULL, &p), 1);
	script("victim", "exit 0\n");
	path_of(victim, "victim");
	path_of(link, "www-link/.well-known/acme-challenge/" TOKEN);
	assert_int_equal(symlink(victim, link), 0);

	for (int op = SOLVER_DEPLOY; op <= SOLVER_CLEAN; op++) {
		memset(&p, 0, sizeof(p));
		assert_int_equal(solver_run(&s, (enum solver_op)op, DOMAIN, TOKEN,
		    KEYAUTH, NULL, &p), 0);
		assert_problem(&p, PROB_SERVER_INTERNAL, "is a symbolic link, not "
		    "a file: refused");
		/* The link and what it points to are as they were. */
		assert_int_equal(lstat(link, &sb), 0);
		assert_true(S_ISLNK(sb.st_mode));
		assert_non_null(content = slurp("victim"));
		assert_string_equal(content, "#!/bin/sh\nexit 0\n");
		free(content);
	}

	/* Nor a directory. */
	assert_int_equal(unlink(link), 0);
	assert_int_equal(mkdir(link, 0755), 0);
	memset(&p, 0, sizeof(p));
	assert_int_equal(solver_run(&s, SOLVER_DEPLOY, DOMAIN, TOKEN, KEYAUTH, NULL,
	    &p), 0);
	assert_problem(&p, PROB_SERVER_INTERNAL, "is something else, not a file");
}

static void
test_webroot_missing(void **state)
{
	struct solver	s;
	struct problem	p;

	(void)state;
	/* The webroot itself is never made: a typo must not grow a tree. */
	webroot_solver(&s, "no-such-root");
	memset(&p, 0, sizeof(p));
	assert_int_equal(solver_run(&s, SOLVER_DEPLOY, DOMAIN, TOKEN, KEYAUTH, NULL,
	    &p), 0);
	assert_problem(&p, PROB_SERVER_INTERNAL, "No such file or directory");
	assert_false(exists("no-such-root"));
	memset(&p, 0, sizeof(p));
	assert_int_equal(solver_run(&s, SOLVER_CLEAN, DOMAIN, TOKEN, KEYAUTH, NULL,
	    &p), 0);
	assert_problem(&p, PROB_SERVER_INTERNAL, "no-such-root");
}

/* --- propagation -------------------------------------------------------------- */

struct sleeps {
	unsigned	calls;
	unsigned	total;
	unsigned	max;
	unsigned	stop_after;	/* calls; 0: never stop */
};

static int
fake_sleep(void *ctx, unsigned seconds)
{
	struct sleeps *z = ctx;

	z->calls++;
	z->total += seconds;
	if (seconds > z->max)
		z->max = seconds;
	return z->stop_after == 0 || z->calls < z->stop_after;
}

static int
real_sleep(void *ctx, unsigned seconds)
{
	int go = fake_sleep(ctx, seconds);

	sleep(seconds);
	return go;
}

static void
test_propagation_wait(void **state)
{
	struct solver	s;
	struct problem	p;
	struct sleeps	z = { 0, 0, 0, 0 };

	(void)state;
	rfc2136_solver(&s, NULL, "record");
	s.propagation_wait = 25;
	memset(&p, 0, sizeof(p));
	assert_int_equal(solver_propagated(&s, DOMAIN, TXT, 60, fake_sleep, &z,
	    &p), 1);
	assert_int_equal(z.total, 25);
	/* In steps, so that the caller renews its lease in between. */
	assert_int_equal(z.max, SOLVER_SLEEP_STEP);
	assert_int_equal(z.calls, 3);

	/* The caller says stop (its lease lost): the wait ends there. */
	memset(&z, 0, sizeof(z));
	z.stop_after = 2;
	s.propagation_check = 1;
	assert_int_equal(solver_propagated(&s, DOMAIN, TXT, 60, fake_sleep, &z,
	    &p), 0);
	assert_int_equal(z.calls, 2);
	assert_problem(&p, PROB_SERVER_INTERNAL, "interrupted");
	memset(&p, 0, sizeof(p));
	s.propagation_check = 0;

	/* Neither setting: nothing to wait for. */
	memset(&z, 0, sizeof(z));
	s.propagation_wait = 0;
	assert_int_equal(solver_propagated(&s, DOMAIN, TXT, 60, fake_sleep, &z,
	    &p), 1);
	assert_int_equal(z.calls, 0);

	/* http-01 has no propagation. */
	hook_solver(&s, "http-01", "record");
	s.propagation_wait = 30;
	s.propagation_check = 1;
	assert_int_equal(solver_propagated(&s, DOMAIN, KEYAUTH, 60, fake_sleep,
	    &z, &p), 1);
	assert_int_equal(z.calls, 0);
	assert_int_equal(p.type, PROB_NONE);

	/* A refused name or value waits for nothing and asks nobody. */
	rfc2136_solver(&s, NULL, "record");
	s.propagation_wait = 5;
	s.propagation_check = 1;
	assert_int_equal(solver_propagated(&s, "$(id).example.com", TXT, 60,
	    fake_sleep, &z, &p), 0);
	assert_problem(&p, PROB_SERVER_INTERNAL, "refused domain");
	memset(&p, 0, sizeof(p));
	assert_int_equal(solver_propagated(&s, DOMAIN, "short", 60, fake_sleep,
	    &z, &p), 0);
	assert_problem(&p, PROB_SERVER_INTERNAL, "refused TXT value");
	assert_int_equal(z.calls, 0);
}

/* A loopback port with nothing on it (UDP and TCP), or 0. */
static unsigned
free_port(void)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);
	unsigned		port = 0;
	int			u, t;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((u = socket(AF_INET, SOCK_DGRAM, 0)) < 0)
		return 0;
	if ((t = socket(AF_INET, SOCK_STREAM, 0)) >= 0 &&
	    bind(u, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(u, (struct sockaddr *)&sin, &len) == 0 &&
	    bind(t, (struct sockaddr *)&sin, sizeof(sin)) == 0)
		port = ntohs(sin.sin_port);
	close(u);
	if (t >= 0)
		close(t);
	return port;
}

static void
test_propagation_silent_server(void **state)
{
	struct solver	s;
	struct problem	p;
	struct sleeps	z = { 0, 0, 0, 0 };
	char		want[64];
	unsigned	port;
	int64_t		t0, ms;

	(void)state;
	assert_int_not_equal(port = free_port(), 0);
	rfc2136_solver(&s, NULL, "record");
	s.server = "127.0.0.1";
	s.port = port;
	s.propagation_check = 1;
	memset(&p, 0, sizeof(p));
	t0 = mono_ms();
	assert_int_equal(solver_propagated(&s, DOMAIN, TXT, 3, real_sleep, &z,
	    &p), 0);
	ms = mono_ms() - t0;
	snprintf(want, sizeof(want), "127.0.0.1#%u", port);
	assert_problem(&p, PROB_DNS, want);
	assert_contains(p.detail, "_acme-challenge." DOMAIN " TXT not propagated");
	/* At most the limit, and a last query's second. */
	if (ms > 3000 + 2500)
		fail_msg("took %lld ms", (long long)ms);
}

/* knotd's path, or NULL if it is not installed. */
static const char *
knotd_path(void)
{
	static const char *const paths[] = {
		"/usr/sbin/knotd", "/usr/local/sbin/knotd", "/usr/bin/knotd",
	};

	for (size_t i = 0; i < nitems(paths); i++)
		if (access(paths[i], X_OK) == 0)
			return paths[i];
	return NULL;
}

/* Waits until something accepts TCP connections on 127.0.0.1:port.  1 if so. */
static int
listening(unsigned port)
{
	struct sockaddr_in	sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)port);
	for (int i = 0; i < 500; i++) {
		int	fd = socket(AF_INET, SOCK_STREAM, 0), ok;

		if (fd < 0)
			return 0;
		ok = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
		close(fd);
		if (ok)
			return 1;
		usleep(10000);
	}
	return 0;
}

static pid_t	knot_pid = -1;

/* Stops the knotd of test_propagation_knot, also when an assertion failed. */
static int
knot_teardown(void **state)
{
	(void)state;
	if (knot_pid > 0) {
		kill(knot_pid, SIGTERM);
		while (waitpid(knot_pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	knot_pid = -1;
	return 0;
}

/*
 * A real authoritative server: knotd serving example.test (a name unbound
 * would answer NXDOMAIN for itself) on a loopback port.
 */
static void
test_propagation_knot(void **state)
{
	struct solver	 s;
	struct problem	 p;
	struct sleeps	 z = { 0, 0, 0, 0 };
	const char	*knotd;
	char		 conf[PATH_LEN], zone[PATH_LEN], kdir[PATH_LEN], want[64];
	FILE		*f;
	unsigned	 port;

	(void)state;
	if ((knotd = knotd_path()) == NULL) {
		print_message("# knotd not installed (Debian package knot)\n");
		skip();
	}
	assert_int_not_equal(port = free_port(), 0);
	path_of(kdir, "knot");
	assert_int_equal(mkdir(kdir, 0700), 0);
	path_of(zone, "knot/example.test.zone");
	assert_non_null(f = fopen(zone, "w"));
	fprintf(f, "$ORIGIN example.test.\n$TTL 60\n"
	    "@ SOA ns1 hostmaster 1 3600 600 86400 60\n"
	    "@ NS ns1\nns1 A 127.0.0.1\n"
	    "_acme-challenge.www TXT \"%s\"\n"
	    "_acme-challenge.www TXT \"another-value\"\n"
	    "_acme-challenge.split TXT \"LoqXcYV8q5ONbJQxbmR7\" "
	    "\"SCTNo3tiAXDfowyjxAjEuX0\"\n"
	    "_acme-challenge.old TXT \"yesterdays-value\"\n", TXT);
	assert_int_equal(fclose(f), 0);
	path_of(conf, "knot/knot.conf");
	assert_non_null(f = fopen(conf, "w"));
	fprintf(f, "server:\n    rundir: %s\n    listen: 127.0.0.1@%u\n"
	    "database:\n    storage: %s\n"
	    "template:\n  - id: default\n    storage: %s\n"
	    "zone:\n  - domain: example.test\n    file: example.test.zone\n"
	    "log:\n  - target: stderr\n    any: error\n",
	    kdir, port, kdir, kdir);
	assert_int_equal(fclose(f), 0);
	assert_true((knot_pid = fork()) >= 0);
	if (knot_pid == 0) {
		execl(knotd, "knotd", "-c", conf, (char *)NULL);
		_exit(127);
	}
	if (!listening(port))
		fail_msg("knotd did not start on port %u", port);
	/* Knot listens before it has loaded the zone: wait for it. */
	usleep(300000);

	rfc2136_solver(&s, NULL, "record");
	s.server = "127.0.0.1";
	s.port = port;
	s.propagation_check = 1;
	memset(&p, 0, sizeof(p));
	/* The zone found by its SOA record; the NS is the server itself. */
	if (!solver_propagated(&s, "www.example.test", TXT, 10, real_sleep, &z,
	    &p))
		fail_msg("%s", p.detail);
	/* Named, and with the record in two strings. */
	s.zone = "example.test";
	if (!solver_propagated(&s, "split.example.test", TXT, 10, real_sleep, &z,
	    &p))
		fail_msg("%s", p.detail);
	assert_int_equal(z.calls, 0);

	/* Another value only, and no such name: each fails, naming the server. */
	snprintf(want, sizeof(want), "127.0.0.1#%u: other values only", port);
	assert_int_equal(solver_propagated(&s, "old.example.test", TXT, 2,
	    real_sleep, &z, &p), 0);
	assert_problem(&p, PROB_DNS, want);
	memset(&p, 0, sizeof(p));
	s.zone = NULL;
	snprintf(want, sizeof(want), "127.0.0.1#%u: no such name", port);
	assert_int_equal(solver_propagated(&s, "new.example.test", TXT, 2,
	    real_sleep, &z, &p), 0);
	assert_problem(&p, PROB_DNS, want);
	assert_true(z.calls >= 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_argv_hook),
		cmocka_unit_test(test_argv_rfc2136),
		cmocka_unit_test(test_argv_webroot),
		cmocka_unit_test(test_refused_domain),
		cmocka_unit_test(test_refused_token),
		cmocka_unit_test(test_refused_value),
		cmocka_unit_test(test_refused_type),
		cmocka_unit_test(test_refused_settings),
		cmocka_unit_test(test_hook_success),
		cmocka_unit_test(test_hook_exit_status),
		cmocka_unit_test(test_hook_not_executable),
		cmocka_unit_test(test_hook_timeout),
		cmocka_unit_test(test_hook_timeout_term_ignored),
		cmocka_unit_test(test_hook_output_bounded),
		cmocka_unit_test(test_hook_output_sanitized),
		cmocka_unit_test(test_rfc2136_prog),
		cmocka_unit_test(test_webroot_deploy_clean),
		cmocka_unit_test(test_webroot_symlink),
		cmocka_unit_test(test_webroot_missing),
		cmocka_unit_test(test_propagation_wait),
		cmocka_unit_test(test_propagation_silent_server),
		cmocka_unit_test_teardown(test_propagation_knot, knot_teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
