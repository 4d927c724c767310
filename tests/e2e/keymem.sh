# keymem.sh - whether a private key is in a process's memory (sourced,
# POSIX sh).  The end-to-end tests use it to show that only the signer
# process ever holds a CA's private key, and no request-handling process.
#
#   key_in_process PID KEYFILE
#
# returns 0 if the key's secret is in the memory of process PID (and says
# where on stderr), 1 if it is not, 2 if it cannot tell (no such process,
# memory unreadable, key unreadable): a test must treat 2 as a failure,
# never as "not found".
#
# How it works:
#  - The secret is the number certtool -k prints under "private key:" for
#    an EC or Ed25519 key, and under "prime1:" (p) for an RSA key; leading
#    zero bytes are dropped.
#  - python3 reads every readable mapping of the process through
#    /proc/PID/maps and /proc/PID/mem.  The signer is not dumpable
#    (PR_SET_DUMPABLE 0), so reading it takes root (CAP_SYS_PTRACE).
#  - It looks for the secret big-endian (DER, an Ed25519 seed, the key
#    file decoded), little-endian (GMP and nettle limbs on a little-endian
#    host: how GnuTLS keeps a loaded key), and for the base64 lines of the
#    PEM file that encode the secret's bytes (the file as read).  A match
#    of 32 or more chosen bytes does not happen by chance.
#
# Needs certtool (gnutls-bin) and python3.

key_in_process() {
	_km_pid=$1
	_km_key=$2
	if [ ! -r "$_km_key" ] || [ ! -d "/proc/$_km_pid" ]; then
		echo "key_in_process: no key $_km_key or no process $_km_pid" >&2
		return 2
	fi
	# The secret's section of certtool's dump, as hex.
	_km_secret=$(certtool -k --infile "$_km_key" 2>/dev/null | awk '
		/^[^ \t]/ {
			on = hex == "" && ($0 ~ /^private key:[ \t]*$/ || $0 ~ /^prime1:[ \t]*$/)
			next
		}
		on { gsub(/[ \t:]/, ""); hex = hex $0 }
		END { print tolower(hex) }')
	if [ -z "$_km_secret" ]; then
		echo "key_in_process: $_km_key: no EC, Ed25519 or RSA secret found" >&2
		return 2
	fi
	python3 - "$_km_pid" "$_km_key" "$_km_secret" <<'PY'
import base64, re, sys

pid, keyfile, secret_hex = sys.argv[1], sys.argv[2], sys.argv[3]
secret = bytes.fromhex(secret_hex).lstrip(b"\0")
if len(secret) < 16:
    print("key_in_process: secret too short to search for", file=sys.stderr)
    sys.exit(2)
needles = {"big-endian secret": secret, "little-endian secret": secret[::-1]}

# The PEM lines whose bytes overlap the secret's in the DER.
text = open(keyfile, "rb").read().decode("ascii", "replace")
body = re.search(r"-----BEGIN [A-Z ]*PRIVATE KEY-----(.*?)-----END", text, re.S)
if body:
    lines = [l.strip() for l in body.group(1).splitlines() if l.strip() and ":" not in l]
    der = base64.b64decode("".join(lines))
    at = der.find(secret)
    pos = 0
    for i, l in enumerate(lines):
        n = len(base64.b64decode(l))
        if at >= 0 and pos < at + len(secret) and at < pos + n and len(l) >= 32:
            needles["PEM line %d" % (i + 1)] = l.encode()
        pos += n

longest = max(len(v) for v in needles.values())
readable = 0
found = []
try:
    maps = open("/proc/%s/maps" % pid).read().splitlines()
    mem = open("/proc/%s/mem" % pid, "rb", 0)
except OSError as e:
    print("key_in_process: %s" % e, file=sys.stderr)
    sys.exit(2)
for m in maps:
    f = m.split()
    if "r" not in f[1]:
        continue
    start, end = (int(x, 16) for x in f[0].split("-"))
    name = f[5] if len(f) > 5 else "[anon]"
    off, tail = start, b""
    while off < end:
        size = min(end - off, 64 << 20)
        try:
            mem.seek(off)
            chunk = mem.read(size)
        except (OSError, ValueError, OverflowError):
            break
        readable += len(chunk)
        data = tail + chunk
        for what, n in needles.items():
            i = data.find(n)
            if i >= 0:
                found.append("%s at 0x%x (%s)" % (what, off - len(tail) + i, name))
        tail = data[-(longest - 1):]
        off += size
if readable == 0:
    print("key_in_process: no memory of process %s could be read" % pid,
          file=sys.stderr)
    sys.exit(2)
for line in sorted(set(found)):
    print("key_in_process: %s: %s" % (pid, line), file=sys.stderr)
sys.exit(0 if found else 1)
PY
}
