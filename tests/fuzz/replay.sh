#!/bin/sh
# replay.sh - make check's replay of the committed fuzz corpus, one TAP
# line per harness.
#
# Every harness tests/fuzz/fuzz_NAME.c runs over tests/fuzz/corpus/NAME/:
# as tests/fuzz/replay_NAME in a normal build, as the libFuzzer binary
# tests/fuzz/fuzz_NAME in a configure --enable-fuzzing build.  A crash, a
# broken property, a missing binary or an empty corpus fails the line.
#
# Inputs in tests/fuzz/known-bugs/NAME/ reproduce bugs not fixed yet; each is
# a TODO line, so that the fix shows up as an unexpected pass (XPASS, which
# make check counts as a failure): then move the input into the corpus.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$here/../..}
top_builddir=${top_builddir:-$top_srcdir}
src=$top_srcdir/tests/fuzz
bin=$top_builddir/tests/fuzz

# Runs harness $1 on the files $2...; prints its output, returns its status.
run() {
	h=$1
	shift
	if [ -x "$bin/replay_$h" ]; then
		"$bin/replay_$h" "$@" 2>&1
	else
		# libFuzzer runs each file named once; it writes nothing.
		"$bin/fuzz_$h" "$@" 2>&1
	fi
}

# Prints the first of the files $2... that makes harness $1 fail.
culprit() {
	h=$1
	shift
	for f in "$@"; do
		if ! run "$h" "$f" >/dev/null 2>&1; then
			printf '%s\n' "$f"
			return
		fi
	done
}

harnesses=
for f in "$src"/fuzz_*.c; do
	h=${f##*/fuzz_}
	harnesses="$harnesses ${h%.c}"
done
known=0
for h in $harnesses; do
	for f in "$src/known-bugs/$h"/*; do
		[ -f "$f" ] && known=$((known + 1))
	done
done
set -- $harnesses
echo "1..$(($# + known))"

n=0
for h in $harnesses; do
	n=$((n + 1))
	if [ ! -x "$bin/replay_$h" ] && [ ! -x "$bin/fuzz_$h" ]; then
		echo "not ok $n - fuzz_$h: neither replay_$h nor fuzz_$h was built"
		continue
	fi
	set --
	for f in "$src/corpus/$h"/*; do
		[ -f "$f" ] && set -- "$@" "$f"
	done
	if [ $# -eq 0 ]; then
		echo "not ok $n - fuzz_$h: corpus directory tests/fuzz/corpus/$h is empty"
		continue
	fi
	if out=$(run "$h" "$@"); then
		echo "ok $n - fuzz_$h: $# corpus inputs"
	else
		echo "not ok $n - fuzz_$h: an input of $# fails"
		printf '%s\n' "$out" | sed 's/^/# /' | tail -n 40
		echo "# failing input: $(culprit "$h" "$@")"
	fi
done

for h in $harnesses; do
	for f in "$src/known-bugs/$h"/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		if run "$h" "$f" >/dev/null 2>&1; then
			echo "ok $n - fuzz_$h: known bug ${f##*/} # TODO fixed: move it to tests/fuzz/corpus/$h/"
		else
			echo "not ok $n - fuzz_$h: known bug ${f##*/} # TODO not fixed yet (tests/fuzz/README)"
		fi
	done
done
