## Fuzz harnesses (libFuzzer) and the replay of their committed corpus.
## Each tests/fuzz/fuzz_NAME.c defines LLVMFuzzerTestOneInput() and has its
## corpus in tests/fuzz/corpus/NAME/.  With configure --enable-fuzzing
## (CC=clang) make builds it against libFuzzer as tests/fuzz/fuzz_NAME;
## otherwise make check links it with replay.c as tests/fuzz/replay_NAME.
## Either way replay.sh runs it over its corpus (see tests/fuzz/README).

FUZZ_CORPORA = \
	tests/fuzz/corpus/b64url tests/fuzz/corpus/contact tests/fuzz/corpus/eab \
	tests/fuzz/corpus/json tests/fuzz/corpus/jws tests/fuzz/corpus/route \
	tests/fuzz/corpus/signer tests/fuzz/corpus/csr tests/fuzz/corpus/acme_resp \
	tests/fuzz/corpus/ari
TESTS += tests/fuzz/replay.sh
EXTRA_DIST += tests/fuzz/README tests/fuzz/replay.sh $(FUZZ_CORPORA) \
	tests/fuzz/known-bugs

if ENABLE_FUZZING

LIBFUZZER_LINK = $(AM_LDFLAGS) -fsanitize=fuzzer

# Built by make, so that they are ready to run.
noinst_PROGRAMS = \
	tests/fuzz/fuzz_b64url tests/fuzz/fuzz_contact tests/fuzz/fuzz_eab \
	tests/fuzz/fuzz_json tests/fuzz/fuzz_jws tests/fuzz/fuzz_route \
	tests/fuzz/fuzz_signer tests/fuzz/fuzz_csr tests/fuzz/fuzz_acme_resp \
	tests/fuzz/fuzz_ari

tests_fuzz_fuzz_b64url_SOURCES = tests/fuzz/fuzz_b64url.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_b64url_LDADD = $(LIBACME)
tests_fuzz_fuzz_b64url_LDFLAGS = $(LIBFUZZER_LINK)

tests_fuzz_fuzz_contact_SOURCES = tests/fuzz/fuzz_contact.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_contact_LDADD = $(LIBACME)
tests_fuzz_fuzz_contact_LDFLAGS = $(LIBFUZZER_LINK)

tests_fuzz_fuzz_eab_SOURCES = tests/fuzz/fuzz_eab.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_eab_LDADD = $(LIBACME)
tests_fuzz_fuzz_eab_LDFLAGS = $(LIBFUZZER_LINK)

tests_fuzz_fuzz_json_SOURCES = tests/fuzz/fuzz_json.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_json_LDADD = $(LIBACME)
tests_fuzz_fuzz_json_LDFLAGS = $(LIBFUZZER_LINK)

tests_fuzz_fuzz_jws_SOURCES = tests/fuzz/fuzz_jws.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_jws_LDADD = $(LIBACME)
tests_fuzz_fuzz_jws_LDFLAGS = $(LIBFUZZER_LINK)

tests_fuzz_fuzz_route_SOURCES = tests/fuzz/fuzz_route.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_route_LDADD = $(LIBACME)
tests_fuzz_fuzz_route_LDFLAGS = $(LIBFUZZER_LINK)

tests_fuzz_fuzz_signer_SOURCES = tests/fuzz/fuzz_signer.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_signer_LDADD = $(LIBACME)
tests_fuzz_fuzz_signer_LDFLAGS = $(LIBFUZZER_LINK)

tests_fuzz_fuzz_csr_SOURCES = tests/fuzz/fuzz_csr.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_csr_LDADD = $(LIBACME)
tests_fuzz_fuzz_csr_LDFLAGS = $(LIBFUZZER_LINK)

tests_fuzz_fuzz_acme_resp_SOURCES = tests/fuzz/fuzz_acme_resp.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_acme_resp_LDADD = $(LIBACME)
tests_fuzz_fuzz_acme_resp_LDFLAGS = $(LIBFUZZER_LINK)

tests_fuzz_fuzz_ari_SOURCES = tests/fuzz/fuzz_ari.c tests/fuzz/fuzz.h
tests_fuzz_fuzz_ari_LDADD = $(LIBACME)
tests_fuzz_fuzz_ari_LDFLAGS = $(LIBFUZZER_LINK)

else

# Defined in both branches, so that other fragments may add with +=.
noinst_PROGRAMS =

check_PROGRAMS += tests/fuzz/replay_b64url
tests_fuzz_replay_b64url_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_b64url.c tests/fuzz/fuzz.h
tests_fuzz_replay_b64url_LDADD = $(LIBACME)

check_PROGRAMS += tests/fuzz/replay_contact
tests_fuzz_replay_contact_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_contact.c tests/fuzz/fuzz.h
tests_fuzz_replay_contact_LDADD = $(LIBACME)

check_PROGRAMS += tests/fuzz/replay_eab
tests_fuzz_replay_eab_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_eab.c tests/fuzz/fuzz.h
tests_fuzz_replay_eab_LDADD = $(LIBACME)

check_PROGRAMS += tests/fuzz/replay_json
tests_fuzz_replay_json_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_json.c tests/fuzz/fuzz.h
tests_fuzz_replay_json_LDADD = $(LIBACME)

check_PROGRAMS += tests/fuzz/replay_jws
tests_fuzz_replay_jws_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_jws.c tests/fuzz/fuzz.h
tests_fuzz_replay_jws_LDADD = $(LIBACME)

check_PROGRAMS += tests/fuzz/replay_route
tests_fuzz_replay_route_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_route.c tests/fuzz/fuzz.h
tests_fuzz_replay_route_LDADD = $(LIBACME)

check_PROGRAMS += tests/fuzz/replay_signer
tests_fuzz_replay_signer_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_signer.c tests/fuzz/fuzz.h
tests_fuzz_replay_signer_LDADD = $(LIBACME)

check_PROGRAMS += tests/fuzz/replay_csr
tests_fuzz_replay_csr_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_csr.c tests/fuzz/fuzz.h
tests_fuzz_replay_csr_LDADD = $(LIBACME)

check_PROGRAMS += tests/fuzz/replay_acme_resp
tests_fuzz_replay_acme_resp_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_acme_resp.c tests/fuzz/fuzz.h
tests_fuzz_replay_acme_resp_LDADD = $(LIBACME)

check_PROGRAMS += tests/fuzz/replay_ari
tests_fuzz_replay_ari_SOURCES = tests/fuzz/replay.c tests/fuzz/fuzz_ari.c tests/fuzz/fuzz.h
tests_fuzz_replay_ari_LDADD = $(LIBACME)

endif
