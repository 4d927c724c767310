## Small C helpers the admin scripts call (installed in pkglibexecdir).

# acme-ca(8) makes keys and certificates through it; the script finds the
# installed copy through @pkglibexecdir@, a built one in tools/.
pkglibexec_PROGRAMS = tools/acme-ca-tool
tools_acme_ca_tool_SOURCES = tools/acme-ca-tool.c
tools_acme_ca_tool_LDADD = $(LIBACME)

# acme-template(8) checks name and address rules through it, with the code
# acme-fcgi applies them with.
pkglibexec_PROGRAMS += tools/acme-check
tools_acme_check_SOURCES = tools/acme-check.c
tools_acme_check_LDADD = $(LIBACME)

# acme-upstream(8) makes the account key of an upstream ACME CA through it,
# with the code acme-fcgi loads the key with.
pkglibexec_PROGRAMS += tools/acme-keygen
tools_acme_keygen_SOURCES = tools/acme-keygen.c
tools_acme_keygen_LDADD = $(LIBACME)

# The rfc2136 solver of managed challenges (acme-managed-challenge(8)): the
# job loop runs it from pkglibexecdir, acme-managed-challenge checks TSIG
# key files with it.
dist_pkglibexec_SCRIPTS = scripts/rfc2136-solver
