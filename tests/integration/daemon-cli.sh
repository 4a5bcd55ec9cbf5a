#!/bin/sh
# daemon-cli.sh: referd's command line (SPEC section 3): -V, -h, refused
# options, the pid file, foreground and background runs, SIGTERM.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 2 daemon-cli

out=$("$REFERD" -V 2>&1); rc=$?
h_is "referd -V exits 0" "$rc" 0
h_like "referd -V names referd and its version" "$out" '^referd [0-9]+\.[0-9]+\.[0-9]+'
h_like "referd -V names the libraries" "$out" 'net-snmp 5\.9.*libev 4\..*oSIP2 5\.'

out=$("$REFERD" -h 2>&1); rc=$?
h_is "referd -h exits 0" "$rc" 0
for o in -f '-c FILE' '-x ADDRESS' '-M ADDRESS' '-p PIDFILE' '-L LOGOPTS' '-D TOKENS' -V -h; do
	h_like "referd -h documents $o" "$out" "^  $o "
done
h_like "referd -h says what the signals do" "$out" 'SIGHUP re-reads'

out=$("$REFERD" -q 2>&1); rc=$?
h_is "an unknown option exits 1" "$rc" 1
h_like "an unknown option is named" "$out" 'unknown option -q'
out=$("$REFERD" -c 2>&1); rc=$?
h_is "-c without a file exits 1" "$rc" 1
h_like "-c without a file is explained" "$out" 'option -c needs an argument'
out=$("$REFERD" -x /tmp/x -M udp:127.0.0.1:1 2>&1); rc=$?
h_is "-x with -M exits 1" "$rc" 1
h_like "-x with -M is explained" "$out" '-x and -M exclude each other'
out=$("$REFERD" -f -Le extra 2>&1); rc=$?
h_is "a stray argument exits 1" "$rc" 1
out=$("$REFERD" -f -Le -c "$H_TMP/absent.conf" 2>&1); rc=$?
h_is "a missing -c file exits 1" "$rc" 1
h_like "a missing -c file is named" "$out" "absent.conf: no such file"

# Foreground run with a pid file; SIGTERM ends it with status 0.
conf=$H_TMP/referd.conf
printf 'profile 1 p\n' >"$conf"
h_referd_start "$conf" -p "$H_TMP/referd.pid" -x "$H_TMP/no-master.sock"
h_is "the pid file holds referd's pid" "$(cat "$H_TMP/referd.pid" 2>/dev/null)" "$H_REFERD_PID"
h_ok "referd keeps running" h_alive "$H_REFERD_PID"
kill -TERM "$H_REFERD_PID"
h_wait_exit "$H_REFERD_PID" 10
h_is "SIGTERM: referd exits 0" "$H_RC" 0
h_not "SIGTERM: the pid file is removed" test -e "$H_TMP/referd.pid"
h_grep "SIGTERM: the engine thread stopped" "$H_TMP/referd.log" 'engine thread stopped'
h_grep "SIGTERM: referd logs that it stopped" "$H_TMP/referd.log" 'referd stopped'

# Without -f referd detaches; the pid file names the daemon, which is
# stopped by that pid.  The daemon is not the test shell's child, so its
# exit status cannot be read: it must end within 10 s of SIGTERM after
# logging its orderly stop, and since it closes its stderr, a sanitizer
# build writes any report to $H_TMP/bg-daemon.out.PID, where h_done
# looks.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}log_path=$H_TMP/bg-daemon.out" \
UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}log_path=$H_TMP/bg-daemon.out" \
	"$REFERD" -Lf "$H_TMP/bg.log" -c "$conf" -p "$H_TMP/bg.pid" -x "$H_TMP/no-master.sock"; rc=$?
h_is "background start returns 0" "$rc" 0
h_wait_for 5 test -s "$H_TMP/bg.pid"
bgpid=$(cat "$H_TMP/bg.pid" 2>/dev/null)
[ -n "$bgpid" ] && H_PIDS="$bgpid $H_PIDS"
h_ok "the daemon runs under the pid in its pid file" h_alive "${bgpid:-0}"
h_ok "the daemon applied its configuration" \
	h_wait_for 5 grep -q 'configuration 1 applied' "$H_TMP/bg.log"
kill -TERM "${bgpid:-0}"
h_ok "SIGTERM: the daemon ends within 10 s" \
	h_wait_for 10 eval "! h_running ${bgpid:-0}"
h_stop "${bgpid:-0}"
h_grep "SIGTERM: the daemon logs that it stopped" "$H_TMP/bg.log" 'referd stopped'
h_not "the stopped daemon removed its pid file" test -e "$H_TMP/bg.pid"
h_done
