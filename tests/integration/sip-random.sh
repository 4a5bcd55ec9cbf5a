#!/bin/sh
# sip-random.sh: where referd's random bits come from when getrandom(2)
# is missing (a kernel without it: ENOSYS), and what referd does when
# /dev/urandom cannot be read either: it does not start, and says why.
# A shim preloaded into referd (compiled here) makes getrandom fail with
# ENOSYS, and with SHIM_NO_URANDOM set, the opening of /dev/urandom fail
# with EACCES.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 55 sip-random
CC=${CC:-cc}
command -v "$CC" >/dev/null 2>&1 || h_skip "no C compiler for the shim"
A=$H_NET.2
B=$H_NET.3
RTP_LO=$((20000 + H_SLOT * 100))
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
instanceName rnd-55
rtpPortRange $RTP_LO $((RTP_LO + 99))
profile 1 p
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 5060
route 1 default 2
EOF2

cat >"$H_TMP/shim.c" <<'EOF2'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

ssize_t
getrandom(void *buf, size_t len, unsigned int flags)
{
	(void)buf; (void)len; (void)flags;
	errno = ENOSYS;
	return -1;
}

int
open(const char *path, int flags, ...)
{
	static int (*real)(const char *, int, ...);
	mode_t mode = 0;
	va_list ap;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = (mode_t)va_arg(ap, int);
		va_end(ap);
	}
	if (getenv("SHIM_NO_URANDOM") != NULL &&
	    strcmp(path, "/dev/urandom") == 0) {
		errno = EACCES;
		return -1;
	}
	if (real == NULL)
		real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	return real(path, flags, mode);
}
EOF2
"$CC" -shared -fPIC -o "$H_TMP/shim.so" "$H_TMP/shim.c" -ldl ||
	h_bail "the shim does not compile"
# referd with the shim (a sanitizer build accepts a library before its
# runtime only when told).
REAL=$REFERD
REFERD=$H_TMP/referd-shim
cat >"$REFERD" <<EOF2
#!/bin/sh
LD_PRELOAD=$H_TMP/shim.so
ASAN_OPTIONS=\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}verify_asan_link_order=0
export LD_PRELOAD ASAN_OPTIONS
exec "$REAL" "\$@"
EOF2
chmod +x "$REFERD"

# getrandom missing: /dev/urandom, said once; the calls' IDs are made.
h_referd_start "$conf" -x "$H_TMP/no-master.sock"
h_grep "getrandom missing: referd says it reads /dev/urandom" \
	"$H_TMP/referd.log" \
	'engine: getrandom: Function not implemented: random numbers are read from /dev/urandom'
peer b "$B" -sn uas -m 2
bpid=$H_PID
h_wait_for 5 listening "$B" 5060 || h_bail "SIPp B did not start"
peer a "$A" -sn uac -s 5551000 -m 2 -d 200 "$H_ADDR:5060"
sipp_ok "two calls go through" a "$H_PID"
sipp_ok "... to B" b "$bpid"
cids=$(tr -d '\r' <"$H_TMP/b.msg" | grep -E '^Call-ID: rnd-55~' | sort -u)
h_is "... with two different Call-IDs rnd-55~<32 hex digits>@referd" \
	"$(printf '%s\n' "$cids" | grep -cE "^Call-ID: rnd-55~[0-9a-f]{32}@$H_ADDR\$")" 2
h_referd_check "$H_REFERD_PID"

# Neither source: referd does not start, and names both failures (a
# referd that started anyway is stopped after 10 s: exit 124).
out=$(SHIM_NO_URANDOM=1 timeout 10 "$REFERD" -f -Le -c "$conf" -x "$H_TMP/no-master.sock" 2>&1)
rc=$?
h_is "no random source: referd exits 1" "$rc" 1
h_like "... saying why" "$out" \
	'no random numbers: getrandom: Function not implemented; /dev/urandom: Permission denied'
h_like "... and that the engine did not start" "$out" 'cannot start the engine'
h_done
