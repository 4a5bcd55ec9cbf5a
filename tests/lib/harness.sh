# harness.sh: shared helpers for referd's integration tests (sourced).
#
# Each test script calls `h_init SLOT NAME` first.  SLOT (1..254) is the
# test's own: every address it uses is 127.0.SLOT.x, so tests run in
# parallel (make -j2 check) never share an address or a port.  Within a
# test, each peer has its own address:
#   127.0.SLOT.1   referd, the private snmpd master, snmptrapd
#   127.0.SLOT.2.. SIPp peers (A, B, C, ...)
#
# Every process a test starts goes through h_spawn, which records its pid;
# h_cleanup (run on every exit path: normal end, failed assertion, error,
# SIGINT/SIGTERM) stops each one by that pid, TERM first, KILL after 5 s.
# Nothing is ever killed by name.
#
# referd goes through h_spawn_referd (h_referd_start does it), which also
# records the pid as a referd: at the end, h_done checks each referd the
# test has not already waited for (h_referd_check): that it is still
# running, and that SIGTERM makes it exit with status 0 within 10 s (a
# crash after the last assertion, or a sanitizer report at exit, fails
# the test).  The pid must be referd's own, a child of the test's shell,
# so that its exit status can be read with wait.
#
# Output is TAP: h_ok / h_is / h_like print one result each, h_done prints
# the plan and exits non-zero if anything failed.

set -u

H_N=0
H_FAILED=0
H_PIDS=
H_REFERDS=
H_REFERD_STARTS=0
H_TMP=
H_DONE=0

# h_init SLOT NAME: make the temp dir, set addresses, install the traps.
h_init() {
	H_SLOT=$1
	H_NAME=$2
	H_NET=127.0.$H_SLOT
	H_ADDR=$H_NET.1
	H_TMP=$(mktemp -d "${TMPDIR:-/tmp}/referd-$H_NAME.XXXXXX") ||
		{ echo "Bail out! cannot make a temp dir"; exit 1; }
	trap h_cleanup EXIT
	trap 'echo "# interrupted"; exit 130' INT TERM HUP
	# The net-snmp tools read only what the test gives them.
	SNMPCONFPATH=$H_TMP/snmpconf
	SNMP_PERSISTENT_DIR=$H_TMP/persist
	mkdir -p "$SNMPCONFPATH" "$SNMP_PERSISTENT_DIR/cert_indexes"
	chmod 700 "$SNMP_PERSISTENT_DIR"
	export SNMPCONFPATH SNMP_PERSISTENT_DIR
	MIBDIRS=$(h_mibdirs)
	MIBS=
	export MIBDIRS MIBS
	H_SNMP_PORT=1161
	H_TRAP_PORT=1162
	echo "# $H_NAME: temp dir $H_TMP, addresses $H_NET.x"
}

# h_mibdirs: the MIB path for the tools: our MIB, then the base MIBs.
h_mibdirs() {
	local d path=${REFERD_SRCDIR:-.}/mibs
	for d in "${REFERD_BUILDDIR:-.}/mibs/base" /usr/share/snmp/mibs \
	    /usr/share/snmp/mibs/ietf /usr/share/snmp/mibs/iana; do
		[ -d "$d" ] && path=$path:$d
	done
	echo "$path"
}

# h_result OK DESC: print one TAP line.
h_result() {
	H_N=$((H_N + 1))
	if [ "$1" = 0 ]; then
		echo "ok $H_N - $2"
	else
		echo "not ok $H_N - $2"
		H_FAILED=$((H_FAILED + 1))
	fi
}

# h_ok DESC CMD...: pass when CMD succeeds.
h_ok() {
	local desc=$1 rc=0
	shift
	"$@" >"$H_TMP/last.out" 2>&1 || rc=$?
	h_result $rc "$desc"
	if [ $rc != 0 ]; then
		echo "#   command: $*"
		echo "#   exit $rc; output:"
		sed 's/^/#     /' "$H_TMP/last.out" | head -20
	fi
	return 0
}

# h_not DESC CMD...: pass when CMD fails.
h_not() {
	local desc=$1 rc=0
	shift
	"$@" >"$H_TMP/last.out" 2>&1 || rc=$?
	if [ $rc != 0 ]; then h_result 0 "$desc"; else
		h_result 1 "$desc"; echo "#   command unexpectedly succeeded: $*"
	fi
	return 0
}

# h_is DESC GOT EXPECTED: pass when the strings are equal.
h_is() {
	if [ "$2" = "$3" ]; then h_result 0 "$1"; else
		h_result 1 "$1"
		echo "#   got:      '$2'"
		echo "#   expected: '$3'"
	fi
}

# h_like DESC TEXT REGEX: pass when TEXT matches the extended REGEX.
h_like() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then h_result 0 "$1"; else
		h_result 1 "$1"
		echo "#   text:    '$(printf '%s' "$2" | head -c 600)'"
		echo "#   pattern: '$3'"
	fi
}

# h_grep DESC FILE REGEX: pass when a line of FILE matches REGEX.
h_grep() {
	if grep -Eq -- "$3" "$2" 2>/dev/null; then h_result 0 "$1"; else
		h_result 1 "$1"
		echo "#   no line of $2 matches '$3'; it ends with:"
		tail -n 10 "$2" 2>/dev/null | sed 's/^/#     /'
	fi
}

# h_bail MSG: stop the test here (cleanup still runs).
h_bail() {
	echo "Bail out! $*"
	exit 1
}

# h_need PROGRAM...: bail out when a required program is missing.
h_need() {
	local p
	for p in "$@"; do
		[ -n "$p" ] && command -v "$p" >/dev/null 2>&1 ||
			h_bail "required program '$p' not found (run scripts/deps.sh)"
	done
}

# h_done: check each referd still recorded (h_referd_check), stop the
# rest of what the test started, check that no sanitizer reported
# anything in their output (the ASan/UBSan build), print the plan and
# exit with the test's status.
h_done() {
	local pid bad
	for pid in $H_REFERDS; do
		h_referd_check "$pid"
	done
	for pid in $H_PIDS; do
		h_stop "$pid"
	done
	bad=$(grep -lE 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
	    "$H_TMP"/*.out "$H_TMP"/*.out.* 2>/dev/null)
	if [ -z "$bad" ]; then
		h_result 0 "no sanitizer report from any process the test started"
	else
		h_result 1 "no sanitizer report from any process the test started"
		for f in $bad; do
			grep -E -A12 'Sanitizer|runtime error' "$f" | head -30 |
				sed 's/^/#   /'
		done
	fi
	H_DONE=1
	echo "1..$H_N"
	[ "$H_FAILED" = 0 ] && exit 0
	exit 1
}

# h_spawn NAME CMD...: start CMD in the background, record its pid in
# H_PID and in the list cleanup stops.  Output goes to $H_TMP/NAME.out.
h_spawn() {
	local name=$1
	shift
	"$@" </dev/null >"$H_TMP/$name.out" 2>&1 &
	H_PID=$!
	H_PIDS="$H_PID $H_PIDS"
	echo "# started $name: pid $H_PID"
}

# h_alive PID: true while the process exists (a zombie included).
h_alive() {
	kill -0 "$1" 2>/dev/null
}

# h_running PID: true while the process runs: a zombie (ended, not yet
# reaped by wait) does not count.
h_running() {
	grep -qs '^State:.*[RSDT]' "/proc/$1/status"
}

# h_forget PID: PID is no longer the harness's to stop or check.
h_forget() {
	H_PIDS=$(echo " $H_PIDS " | sed "s/ $1 / /")
	H_REFERDS=$(echo " $H_REFERDS " | sed "s/ $1 / /")
}

# h_stop PID: TERM, wait up to 5 s, then KILL; reap it.  Its exit status
# is not looked at (h_referd_check does, for referd).
h_stop() {
	local pid=$1 i=0
	if h_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		kill -CONT "$pid" 2>/dev/null
		# a zombie child counts as gone once reaped below
		while h_running "$pid" && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		if h_running "$pid"; then
			echo "# pid $pid ignored SIGTERM for 5 s: SIGKILL"
			kill -KILL "$pid" 2>/dev/null
		fi
	fi
	wait "$pid" 2>/dev/null
	h_forget "$pid"
	return 0
}

# h_cleanup: stop every recorded process; keep the temp dir on failure.
h_cleanup() {
	local rc=$? pid
	trap - EXIT
	for pid in $H_PIDS; do
		h_stop "$pid"
	done
	if [ -n "$H_TMP" ] && [ -d "$H_TMP" ]; then
		if [ "$H_FAILED" = 0 ] && [ "$H_DONE" = 1 ] &&
		    [ -z "${H_KEEP:-}" ]; then
			rm -rf "$H_TMP"
		else
			echo "# kept $H_TMP for inspection"
		fi
	fi
	exit $rc
}

# h_wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds.
h_wait_for() {
	local limit=$(($1 * 10)) i=0
	shift
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -ge "$limit" ] && return 1
		sleep 0.1
	done
	return 0
}

# h_wait_exit PID SECONDS: wait for a spawned process to end; sets H_RC.
h_wait_exit() {
	local pid=$1 limit=$(($2 * 10)) i=0
	while h_running "$pid"; do
		i=$((i + 1))
		if [ $i -ge "$limit" ]; then
			H_RC=124
			return 1
		fi
		sleep 0.1
	done
	H_RC=0
	wait "$pid" || H_RC=$?
	h_forget "$pid"
	return 0
}

# ---- net-snmp -----------------------------------------------------------

# h_snmpd_start: a private snmpd master on $H_ADDR:$H_SNMP_PORT with its
# AgentX socket at $H_AGENTX, communities public (read) and private
# (write) for loopback clients only, traps to $H_ADDR:$H_TRAP_PORT, and
# its persistent files in the test's own $SNMP_PERSISTENT_DIR.
h_snmpd_start() {
	h_need "${SNMPD:-snmpd}" snmpget
	H_AGENTX=$H_TMP/agentx.sock
	cat >"$H_TMP/snmpd.conf" <<-EOF
	agentaddress udp:$H_ADDR:$H_SNMP_PORT
	master agentx
	agentXSocket $H_AGENTX
	agentXPerms 0700 0700
	rocommunity public 127.0.0.0/8
	rwcommunity private 127.0.0.0/8
	trap2sink udp:$H_ADDR:$H_TRAP_PORT public
	EOF
	h_spawn snmpd "${SNMPD:-snmpd}" -f -C -c "$H_TMP/snmpd.conf" \
	    -Lf "$H_TMP/snmpd.log" -M "$MIBDIRS" -m ''
	H_SNMPD_PID=$H_PID
	h_wait_for 10 snmpget -v2c -c public -t 0.5 -r 0 \
	    "$H_ADDR:$H_SNMP_PORT" .1.3.6.1.2.1.1.3.0 ||
		h_bail "snmpd did not answer on $H_ADDR:$H_SNMP_PORT"
}

# h_snmptrapd_start: a snmptrapd on $H_ADDR:$H_TRAP_PORT that logs every
# trap for community public, numerically, to $H_TRAPLOG.  Lines in
# $H_TRAPD_EXTRA are added to its configuration (a traphandle).
h_snmptrapd_start() {
	h_need "${SNMPTRAPD:-snmptrapd}"
	H_TRAPLOG=$H_TMP/traps.log
	cat >"$H_TMP/snmptrapd.conf" <<-EOF
	authCommunity log,execute public
	format2 TRAP %b\\n%V|%v\\n
	${H_TRAPD_EXTRA:-}
	EOF
	: >"$H_TRAPLOG"
	h_spawn snmptrapd "${SNMPTRAPD:-snmptrapd}" -f -C \
	    -c "$H_TMP/snmptrapd.conf" -On -Lf "$H_TRAPLOG" \
	    -M "$MIBDIRS" -m '' "udp:$H_ADDR:$H_TRAP_PORT"
	H_SNMPTRAPD_PID=$H_PID
	h_wait_for 10 grep -q 'NET-SNMP version' "$H_TRAPLOG" ||
		h_bail "snmptrapd did not start on $H_ADDR:$H_TRAP_PORT"
}

# ---- SIPp ---------------------------------------------------------------

# h_sipp NAME ADDR PORT ARGS...: a SIPp peer bound to ADDR:PORT, with its
# statistics and error logs in $H_TMP/NAME.*.  The pid is in H_PID.
h_sipp() {
	local name=$1 addr=$2 port=$3
	shift 3
	h_need "${SIPP:-sipp}"
	h_spawn "$name" "${SIPP:-sipp}" -i "$addr" -p "$port" -nostdin \
	    -trace_err -error_file "$H_TMP/$name.errors" \
	    -trace_screen -screen_file "$H_TMP/$name.screen" \
	    -timeout 30s -timeout_error "$@"
}

# ---- referd -------------------------------------------------------------

# h_referd_start CONF ARGS...: referd in the foreground with CONF, logging
# to $H_TMP/referd.log; waits until the engine applied the first
# configuration.  The pid is in H_REFERD_PID.  Its stderr goes to
# $H_TMP/referd.out, then referd-2.out, ... for each restart, so that
# what an earlier referd printed at exit is kept.  referd writes its pid
# file (-p, in $H_TMP unless ARGS name one): the pid the harness will
# signal and wait for must be the one referd itself writes, not a
# wrapper's.
h_referd_start() {
	local conf=$1 name=referd pidfile a prev=
	shift
	H_REFERD_STARTS=$((H_REFERD_STARTS + 1))
	[ "$H_REFERD_STARTS" = 1 ] || name=referd-$H_REFERD_STARTS
	pidfile=$H_TMP/$name.pid
	for a in "$@"; do
		[ "$prev" = -p ] && pidfile=$a
		prev=$a
	done
	: >"$H_TMP/referd.log"
	h_spawn_referd "$name" "$H_TMP/referd.log" "$REFERD" -f \
	    -Lf "$H_TMP/referd.log" -c "$conf" -p "$H_TMP/$name.pid" "$@"
	H_REFERD_PID=$H_PID
	h_wait_for 10 grep -q 'configuration 1 applied' "$H_TMP/referd.log" ||
		h_bail "referd did not start: $(tail -n 5 "$H_TMP/referd.log")"
	[ "$(cat "$pidfile" 2>/dev/null)" = "$H_REFERD_PID" ] ||
		h_bail "pid $H_REFERD_PID is not referd's own: its pid file" \
		    "says '$(cat "$pidfile" 2>/dev/null)' (a wrapper that does" \
		    "not exec referd?)"
}

# h_spawn_referd NAME LOG CMD...: h_spawn CMD, a referd (or a program
# that execs it) logging to LOG, and record it for the check at the end
# (h_done runs h_referd_check on it unless the test has reaped it first
# with h_wait_exit, h_stop or h_referd_check).  Call it from the test's
# own shell, never inside ( ) or $( ): only that shell can wait for it.
h_spawn_referd() {
	local name=$1 log=$2
	shift 2
	h_spawn "$name" "$@"
	H_REFERDS="$H_PID $H_REFERDS"
	eval "H_REFERD_NAME_$H_PID=\$name H_REFERD_LOG_$H_PID=\$log"
	eval "H_REFERD_BORN_$H_PID=$(h_started "$H_PID")"
}

# h_started PID: when the process started (clock ticks after boot, field
# 22 of /proc/PID/stat; the text after the command name's ')' starts at
# field 3).  With it the check tells referd from a later process that was
# given the same pid once referd was reaped.
h_started() {
	sed -n 's/.*) //p' "/proc/$1/stat" 2>/dev/null | cut -d ' ' -f 20
}

# h_referd_check PID: two results for a referd started by h_spawn_referd
# that should be running: it still is, and SIGTERM makes it exit with
# status 0 (referd releases its calls, saves, exits 0) within
# H_REFERD_TERM_WAIT seconds (default 10; KILL after that).  A failure
# shows the status and the end of its stderr and log.  The pid is then
# reaped and forgotten.
h_referd_check() {
	local pid=$1 limit=${H_REFERD_TERM_WAIT:-10} name log born
	local i=0 rc=0 why=
	eval "name=\${H_REFERD_NAME_$pid:-referd} log=\${H_REFERD_LOG_$pid:-}"
	eval "born=\${H_REFERD_BORN_$pid:-}"
	if h_running "$pid" && [ -n "$born" ] &&
	    [ "$(h_started "$pid")" = "$born" ]; then
		h_result 0 "$name (pid $pid) is still running"
		kill -TERM "$pid" 2>/dev/null
		kill -CONT "$pid" 2>/dev/null
		while h_running "$pid" && [ $i -lt $((limit * 10)) ]; do
			sleep 0.1
			i=$((i + 1))
		done
		if h_running "$pid"; then
			why="still running $limit s after SIGTERM: SIGKILL"
			kill -KILL "$pid" 2>/dev/null
		fi
	else
		h_result 1 "$name (pid $pid) is still running"
		why="it ended before the test stopped it"
	fi
	wait "$pid" 2>/dev/null || rc=$?
	h_forget "$pid"
	if [ -z "$why" ] && [ $rc = 0 ]; then
		h_result 0 "$name (pid $pid) exits with status 0 within $limit s of SIGTERM"
		return 0
	fi
	h_result 1 "$name (pid $pid) exits with status 0 within $limit s of SIGTERM"
	if [ $rc -gt 128 ] && [ $rc != 255 ]; then
		rc="$rc (signal $(kill -l $((rc - 128)) 2>/dev/null))"
	elif [ $rc = 127 ]; then
		rc="$rc (or not a child of the test's shell)"
	fi
	echo "#   ${why:+$why; }exit status $rc"
	h_tail "its stderr" "$H_TMP/$name.out" 20
	[ -z "$log" ] || h_tail "its log" "$log" 10
}

# h_tail WHAT FILE LINES: the last LINES lines of FILE as TAP diagnostics.
h_tail() {
	if [ -s "$2" ]; then
		echo "#   $1 ($2) ends with:"
		tail -n "$3" "$2" | sed 's/^/#     /'
	else
		echo "#   $1 ($2) is empty"
	fi
}

# h_referd_master NAME ADDR CONF ARGS...: one more referd, standalone
# (-M udp:ADDR:H_SNMP_PORT, its own SNMP agent), beside others in the same
# test: log $H_TMP/NAME.log, persistent files in $H_TMP/NAME-persist, pid
# file $H_TMP/NAME.pid.  CONF must let the test read it (e.g.
# `rocommunity public ADDR`: the tools then speak from ADDR, see
# h_sget_at).  Waits until its engine applied the configuration and its
# agent answers.  The pid is in H_PID.
h_referd_master() {
	local name=$1 addr=$2 conf=$3
	shift 3
	mkdir -p "$H_TMP/$name-persist"
	: >"$H_TMP/$name.log"
	SNMP_PERSISTENT_DIR=$H_TMP/$name-persist h_spawn_referd "$name" \
	    "$H_TMP/$name.log" "$REFERD" -f -Lf "$H_TMP/$name.log" -c "$conf" \
	    -p "$H_TMP/$name.pid" -M "udp:$addr:$H_SNMP_PORT" "$@"
	h_wait_for 10 grep -q 'configuration 1 applied' "$H_TMP/$name.log" ||
		h_bail "$name did not start: $(tail -n 5 "$H_TMP/$name.log")"
	h_wait_for 10 h_sget_at "$addr" "$RO.1.1.0" ||
		h_bail "$name's agent on $addr does not answer"
}

# h_sget_at ADDR OID: sget from the agent on ADDR:H_SNMP_PORT (the tools
# speak from ADDR itself, community public).
h_sget_at() {
	snmpget -v2c -c public -Oqv -On -t 2 -r 0 --clientaddr="$1" \
	    "$1:$H_SNMP_PORT" "$2" 2>&1 | tr -d '"'
}

# ---- Kamailio (contrib/kamailio) ----------------------------------------

# h_kamailio NAME ARGS...: Kamailio (Debian `kamailio`) in the foreground
# with its own children (-DD), logging to stderr ($H_TMP/NAME.out), its
# pid file, working and runtime directories in $H_TMP; ARGS name the
# configuration (-f) and its defines (-A).  Waits until its UDP workers
# run.  The main pid is in H_PID (h_stop it: it stops its children; see
# h_children).
h_kamailio() {
	local name=$1
	shift
	h_need "${KAMAILIO:-kamailio}"
	mkdir -p "$H_TMP/$name.run"
	h_spawn "$name" "${KAMAILIO:-kamailio}" -DD -E -m 64 -M 16 \
	    -P "$H_TMP/$name.pid" -w "$H_TMP/$name.run" -Y "$H_TMP/$name.run" \
	    "$@"
	h_wait_for 10 grep -q 'udp receiver child=0' "$H_TMP/$name.out" ||
	    h_wait_for 5 test -n "$(h_children "$H_PID")" ||
		h_bail "$name did not start: $(tail -n 5 "$H_TMP/$name.out")"
}

# h_children PID: the pids of PID's children, one line each.
h_children() {
	ps -o pid= --ppid "$1" 2>/dev/null | tr -d ' '
}

# ---- referd with SNMP ------------------------------------------------------

# REFERD-MIB's OIDs, numeric so that the tools need no MIB (and do no
# client-side checking: the agent's own answers are what is tested).
R=.1.3.6.1.4.1.8072.9999.9999.5060
RO=$R.1
SGP=$RO.2.1
REFER=$RO.3.1
SIG=$RO.4.1
GW=$RO.5.1
ROUTE=$RO.6.1
STATS=$RO.7.1
CALLS=$RO.8.1

# h_referd_subagent CONF ARGS...: snmptrapd, a private snmpd master and
# referd as its subagent; waits until referd's objects answer.
h_referd_subagent() {
	local conf=$1
	shift
	[ -n "${H_SNMPTRAPD_PID:-}" ] || h_snmptrapd_start
	[ -n "${H_SNMPD_PID:-}" ] || h_snmpd_start
	mkdir -p "$H_TMP/referd-persist"
	H_REFERD_PERSIST=$H_TMP/referd-persist
	SNMP_PERSISTENT_DIR=$H_REFERD_PERSIST h_referd_start "$conf" \
	    -x "$H_AGENTX" "$@"
	H_AGENT=$H_ADDR:$H_SNMP_PORT
	h_wait_for 10 h_answers ||
		h_bail "referd's MIB does not answer through snmpd"
}

# h_referd_instance NAME ADDR CONF-LINES: one of several referd on this
# test's addresses, each its own SNMP master (-M) on ADDR:$H_SNMP_PORT
# (communities public and private for loopback), with its own log
# ($H_TMP/NAME.log), pid file and persistent directory; CONF-LINES (a
# string of lines) after those.  Sets H_PID to its pid; waits until its
# objects answer.
h_referd_instance() {
	local name=$1 addr=$2 lines=$3 i=0
	mkdir -p "$H_TMP/$name-persist"
	printf 'rocommunity public 127.0.0.0/8\nrwcommunity private 127.0.0.0/8\n%s\n' \
	    "$lines" >"$H_TMP/$name.conf"
	: >"$H_TMP/$name.log"
	SNMP_PERSISTENT_DIR=$H_TMP/$name-persist h_spawn_referd "$name" \
	    "$H_TMP/$name.log" "$REFERD" -f -Lf "$H_TMP/$name.log" \
	    -c "$H_TMP/$name.conf" -p "$H_TMP/$name.pid" -M "udp:$addr:$H_SNMP_PORT"
	while ! snmpget -v2c -c public -Oqv -t 0.5 -r 0 "$addr:$H_SNMP_PORT" \
	    "$RO.1.1.0" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 40 ] || h_bail "referd $name did not answer on" \
		    "$addr: $(tail -n 5 "$H_TMP/$name.log")"
		sleep 0.25
	done
}

# h_answers: true when referdVersion.0 answers.
h_answers() {
	snmpget -v2c -c public -Oqv -t 0.5 -r 0 "$H_AGENT" "$RO.1.1.0" 2>/dev/null |
		grep -q '^"\?[0-9]'
}

# sset ARGS...: snmpset with the write community; output in SOUT, status SRC.
sset() {
	SRC=0
	SOUT=$(snmpset -v2c -c private -On -t 3 -r 0 "$H_AGENT" "$@" 2>&1) || SRC=$?
}

# sget OID: the value alone (or the exception text).
sget() {
	snmpget -v2c -c public -Oqv -On -t 3 -r 0 "$H_AGENT" "$1" 2>&1 | tr -d '"'
}

# h_set_ok DESC ARGS...: the SET succeeds.
h_set_ok() {
	local desc=$1
	shift
	sset "$@"
	if [ "$SRC" = 0 ]; then h_result 0 "$desc"; else
		h_result 1 "$desc"
		echo "#   snmpset $*"
		printf '%s\n' "$SOUT" | sed 's/^/#     /'
	fi
}

# h_set_err DESC ERROR FAILED-OID ARGS...: the SET fails with ERROR for
# FAILED-OID (the varbind the agent names).
h_set_err() {
	local desc=$1 err=$2 failed=$3
	shift 3
	sset "$@"
	if [ "$SRC" != 0 ] &&
	    printf '%s\n' "$SOUT" | grep -q "Reason: $err" &&
	    printf '%s\n' "$SOUT" | grep -q "Failed object: $failed\$"; then
		h_result 0 "$desc"
	else
		h_result 1 "$desc"
		echo "#   expected $err on $failed; snmpset $*"
		printf '%s\n' "$SOUT" | sed 's/^/#     /'
	fi
}

# h_walk OID: the numeric walk, one "OID = TYPE: value" a line.
h_walk() {
	snmpwalk -v2c -c public -On -t 3 -r 0 "$H_AGENT" "$1" 2>&1
}

# ---- SIP tests ------------------------------------------------------------
# Shared by tests/integration/sip-*.sh (a test may define its own variant).

# peer NAME ADDR ARGS...: a SIPp peer on ADDR:5060; its <log> lines go to
# $H_TMP/NAME.log, the messages it sends and receives to $H_TMP/NAME.msg.
peer() {
	local name="$1" addr="$2"
	shift 2
	h_sipp "$name" "$addr" 5060 -trace_logs -log_file "$H_TMP/$name.log" \
	    -trace_msg -message_file "$H_TMP/$name.msg" "$@"
}

# sipp_ok DESC NAME PID [SECONDS]: SIPp peer NAME ends within SECONDS
# (default 40) with status 0: every call succeeded and every check_it of
# its scenario held.  Otherwise its error log is shown (and a peer still
# running is stopped).
sipp_ok() {
	h_wait_exit "$3" "${4:-40}" || h_stop "$3"
	h_is "$1" "$H_RC" 0
	[ "$H_RC" = 0 ] ||
		sed -e 's/^/#   /' -e '$a\' "$H_TMP/$2.errors" 2>/dev/null |
		    head -n 25
}

# listening ADDR PORT: a UDP socket is bound to ADDR:PORT (/proc/net/udp
# shows addresses as the hex of the in-memory word, port in hex).
listening() {
	grep -q "^ *[0-9]*: $(echo "$1" |
	    awk -F. '{printf "%02X%02X%02X%02X", $4, $3, $2, $1}'):$(printf %04X "$2") " \
	    /proc/net/udp
}

# calls_idle: referdActiveCalls is 0.
calls_idle() {
	[ "$(sget "$RO.1.3.0")" = 0 ]
}

# ---- RTP ------------------------------------------------------------------
# How a test sees RTP (SIPp 3.6.1; see tests/integration/sip-media.sh):
# peers send with the rtp_stream action from their media socket (-mp) to
# the address of the last SDP they received; nothing in SIPp reads that
# socket, so what arrives stays in its receive queue, which the kernel
# shows in /proc/net/udp.

# h_rtp_setup: SIPp opens the rtp_stream file ("rtp.pcmu" in the
# scenarios) relative to its working directory, so from here on every
# SIPp peer runs in $H_TMP through a wrapper that changes directory and
# execs SIPp (the pid recorded stays SIPp's own).  The file is 200 ms of
# PCMU silence (0xFF), played in a loop.  Scenario, log and trace paths
# given to the peers must then be absolute.
h_rtp_setup() {
	h_need "${SIPP:-sipp}"
	head -c 1600 /dev/zero | tr '\0' '\377' >"$H_TMP/rtp.pcmu"
	cat >"$H_TMP/sipp-in-tmp" <<-EOF2
	#!/bin/sh
	cd "$H_TMP" && exec "$(command -v "${SIPP:-sipp}")" "\$@"
	EOF2
	chmod +x "$H_TMP/sipp-in-tmp"
	SIPP=$H_TMP/sipp-in-tmp
}

# udp_key ADDR PORT: ADDR:PORT as /proc/net/udp writes it (the address
# as the hex of the in-memory word, the port in hex).
udp_key() {
	echo "$1" | awk -F. -v p="$2" '{printf "%02X%02X%02X%02X:%04X", $4, $3, $2, $1, p}'
}

# rtp_in ADDR PORT: datagrams arrived at the socket bound to ADDR:PORT:
# its receive queue is not empty, or it dropped some when full.
rtp_in() {
	awk -v k="$(udp_key "$1" "$2")" '
	    $2 == k { split($5, q, ":"); if (q[2] != "00000000" || $NF != 0) f = 1 }
	    END { exit !f }' /proc/net/udp
}

# h_template SRC DST KEY=VALUE...: DST is the scenario template SRC with
# each @KEY@ replaced by VALUE (which must not contain '|').
h_template() {
	local src=$1 dst=$2 kv script=
	shift 2
	for kv in "$@"; do
		script="$script s|@${kv%%=*}@|${kv#*=}|g;"
	done
	sed -e "$script" "$src" >"$dst"
}

# ---- sessions: the SDP on both legs and the RTP that flows ----------------
# Shared by tests/integration/sip-session-*.sh.  Each party's media socket
# is a tests/tools/rtpcheck on the party's address, port $MP, which its
# SIPp scenario writes in its SDP (-set mport $MP): started once the SDP
# exchange is done, it sends to the port referd gave that party and
# reports every datagram it got, by source and kind ("pt N", "rtcp",
# "other"), so a test sees exactly what referd relays to that party.
# The scenarios log what they saw in lines "WHO WHAT|key=value|...".

# sess_init SLOT NAME [CONF-LINE...]: h_init, then the peers A (gateway 1,
# any port), B (gateway 2) and C (gateway 3) on $H_NET.2, .3 and .4, all
# on profile 1, calls to 555... routed to B; referd's relay range
# RTP_LO..RTP_HI; CONF-LINEs added to referd.conf (a refer row for
# profile 1, say); referd started as a subagent, listening on $H_ADDR.
sess_init() {
	local slot=$1 name=$2 line
	shift 2
	h_init "$slot" "$name"
	SC=$(cd "${REFERD_SRCDIR:-.}/tests/scenarios" && pwd)
	RTPCHECK=${RTPCHECK:-${REFERD_BUILDDIR:-.}/tests/tools/rtpcheck}
	h_need "$RTPCHECK"
	A=$H_NET.2
	B=$H_NET.3
	C=$H_NET.4
	MP=7000
	RTP_LO=$((20000 + H_SLOT * 100))
	RTP_HI=$((RTP_LO + 99))
	cat >"$H_TMP/referd.conf" <<-EOF2
	inviteTimeout 8
	rtpPortRange $RTP_LO $RTP_HI
	profile 1 p
	signaling 1 $H_ADDR port 5060 transport udp profile 1
	gateway 1 a-side $A port 0
	gateway 2 b-side $B port 5060
	gateway 3 c-side $C port 5060
	route 1 555 2
	EOF2
	for line in "$@"; do
		echo "$line" >>"$H_TMP/referd.conf"
	done
	h_referd_subagent "$H_TMP/referd.conf"
	h_wait_for 5 listening "$H_ADDR" 5060 ||
		h_bail "referd does not listen on $H_ADDR:5060"
}

# sess_peer NAME ADDR SCENARIO ARGS...: a SIPp peer (peer) running
# $SC/SCENARIO, which is told referd's address (peer_ip), its relay range
# (rtp_lo, rtp_hi) and the party's media port (mport).
sess_peer() {
	local name=$1 addr=$2 sf=$3
	shift 3
	peer "$name" "$addr" -sf "$SC/$sf" -set peer_ip "$H_ADDR" \
	    -set rtp_lo "$RTP_LO" -set rtp_hi "$RTP_HI" -set mport "$MP" "$@"
}

# logval NAME PREFIX KEY: the value of KEY in the first line of peer
# NAME's log that starts with "PREFIX|" (empty when there is none).
logval() {
	awk -F '|' -v p="$2" -v k="$3=" '
	    $1 == p { for (i = 2; i <= NF; i++)
	        if (index($i, k) == 1) { print substr($i, length(k) + 1); exit } }' \
	    "$H_TMP/$1.log" 2>/dev/null
}

# logsdp NAME PREFIX: "ADDRESS PORT FORMATS" of the SDP logged in that
# line (its c=, port= and fmts=: the m= line's port, protocol and
# formats).
logsdp() {
	echo "$(logval "$1" "$2" c) $(logval "$1" "$2" port) $(logval "$1" "$2" fmts)"
}

# logged NAME PREFIX: peer NAME has logged a line "PREFIX|...".
logged() {
	grep -q "^$2|" "$H_TMP/$1.log" 2>/dev/null
}

# Peers whose scenarios log "WHAT key=value ... at TICK ..." lines
# (SIPp's [clock_tick], ms: the session timer tests).
# tick NAME WHAT [N]: the TICK of peer NAME's Nth (default first) log
# line with WHAT (0 when there is none).
tick() {
	local t
	t=$(sed -n "s/^.*$2.* at \\([0-9]*\\).*\$/\\1/p" "$H_TMP/$1.log" \
		2>/dev/null | sed -n "${3:-1}p")
	echo "${t:-0}"
}
# logword NAME WHAT KEY [N]: KEY=... (up to a space) of that line.
logword() {
	sed -n "s/^.*$2.* $3=\\([^ ]*\\).*\$/\\1/p" "$H_TMP/$1.log" \
		2>/dev/null | sed -n "${4:-1}p"
}
# bye_reason NAME: the Reason of the BYE peer NAME got, from its line
# "X BYE at TICK reason=..." ("" for none).
bye_reason() {
	sed -n 's/^.* BYE at [0-9]* reason=\(.*\)$/\1/p' "$H_TMP/$1.log" \
		2>/dev/null | head -n 1
}
# within X LO HI: LO <= X <= HI.
within() { [ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

# in_range PORT: a port of referd's relay range.
in_range() {
	[ -n "$1" ] && [ "$1" -ge "$RTP_LO" ] 2>/dev/null && [ "$1" -le "$RTP_HI" ]
}

# sess_ab B-SCENARIO A-SCENARIO [ARGS...]: B, the called party, runs
# B-SCENARIO; once it listens, A calls 5551000 through referd with
# A-SCENARIO; both get ARGS (more -set).  Their pids in BPID and APID.
sess_ab() {
	local bsf=$1 asf=$2
	shift 2
	sess_peer b "$B" "$bsf" -m 1 "$@"
	BPID=$H_PID
	h_wait_for 5 listening "$B" 5060 || h_bail "SIPp B did not start"
	sess_peer a "$A" "$asf" -s 5551000 -m 1 "$@" "$H_ADDR:5060"
	APID=$H_PID
}

# sess_call N B-SCENARIO A-SCENARIO [A-ARG...] [-- B-ARG...]: one call of
# several in a test: B (peer bN) runs B-SCENARIO; once it listens, A (aN)
# calls 5551000 through referd with A-SCENARIO; each gets its own ARGs.
# Their pids in BPID and APID.
sess_call() {
	local n=$1 bsf=$2 asf=$3 a= arg
	shift 3
	for arg in "$@"; do
		shift
		[ "$arg" = -- ] && break
		a="$a $arg"
	done
	sess_peer "b$n" "$B" "$bsf" -m 1 "$@"
	BPID=$H_PID
	h_wait_for 5 listening "$B" 5060 || h_bail "SIPp B did not start"
	# shellcheck disable=SC2086
	sess_peer "a$n" "$A" "$asf" -s 5551000 -m 1 $a "$H_ADDR:5060"
	APID=$H_PID
}

# rtp_start NAME ADDR[:PORT] TARGET ARGS...: rtpcheck NAME on ADDR:PORT
# (a party's media socket; PORT is $MP unless given) sending to referd's
# port TARGET (nothing when TARGET is -), with rtpcheck's options ARGS (by
# default 2 s of sending, 3 s of recording); its report goes to
# $H_TMP/NAME.out.  rtp_done waits for it.
rtp_start() {
	local name=$1 local=$2 port=$3
	shift 3
	case $local in *:*) ;; *) local=$local:$MP ;; esac
	if [ "$port" = - ]; then
		h_spawn "$name" "$RTPCHECK" "$@" "$local"
	else
		h_spawn "$name" "$RTPCHECK" "$@" "$local" "$H_ADDR:$port"
	fi
	H_RTP_PIDS="$H_PID ${H_RTP_PIDS:-}"
}

# rtp_done: wait for every rtpcheck started to end (each reports at exit).
rtp_done() {
	local pid
	for pid in ${H_RTP_PIDS:-}; do
		h_wait_exit "$pid" 20 || h_stop "$pid"
	done
	H_RTP_PIDS=
}

# rtp_kinds NAME: what rtpcheck NAME received, without the counts: its
# "SOURCE KIND" pairs, sorted, separated by "; ".
rtp_kinds() {
	awk '$1 != "sent" { $NF = ""; sub(/ $/, ""); print }' "$H_TMP/$1.out" |
		sort | awk '{ printf "%s%s", (NR > 1 ? "; " : ""), $0 }'
}

# rtp_got NAME SOURCE KIND: how many datagrams of KIND ("pt 8", "rtcp",
# "other") rtpcheck NAME received from SOURCE (ADDR:PORT); 0 if none.
rtp_got() {
	awk -v s="$2" -v k="$3" '
	    { n = $NF; $NF = ""; sub(/ $/, "") }
	    $0 == s " " k { t += n } END { print t + 0 }' "$H_TMP/$1.out"
}

# rtp_flows DESC NAME SOURCE KIND MIN: rtpcheck NAME received at least
# MIN datagrams of KIND from SOURCE.
rtp_flows() {
	local n
	n=$(rtp_got "$2" "$3" "$4")
	if [ "$n" -ge "$5" ]; then h_result 0 "$1 ($n)"; else
		h_result 1 "$1"
		echo "#   $n datagrams of $4 from $3, expected $5 or more; got:"
		sed 's/^/#     /' "$H_TMP/$2.out"
	fi
}

# rtp_only DESC NAME SOURCE KIND: rtpcheck NAME received KIND from
# SOURCE (50 datagrams at least, of the 100 that 2 s of sending makes)
# and nothing else from anywhere: two results.
rtp_only() {
	rtp_flows "$1" "$2" "$3" "$4" 50
	h_is "... and nothing else" "$(rtp_kinds "$2")" "$3 $4"
}

# rtp_exchange PT X PORT-X XPT-X Y PORT-Y XPT-Y: parties X and Y (A, B or
# C) send each other payload type PT through referd, X to referd's port
# PORT-X and Y to PORT-Y, every 10th packet of X's of type XPT-X and of
# Y's of type XPT-Y instead (types the receiver did not negotiate): each
# must receive PT only, from the port referd gave it (rtp_only, four
# results).  The rtpchecks are named X1, Y1, then X2, Y2 at the next
# exchange.
rtp_exchange() {
	local pt=$1 x=$2 px=$3 xx=$4 y=$5 py=$6 xy=$7 ax ay
	H_RTP_RUN=$((${H_RTP_RUN:-0} + 1))
	eval "ax=\$$x ay=\$$y"
	rtp_start "$x$H_RTP_RUN" "$ax" "$px" -t "$pt" -x "$xx"
	rtp_start "$y$H_RTP_RUN" "$ay" "$py" -t "$pt" -x "$xy"
	rtp_done
	rtp_only "$y receives $x's payload type $pt from referd's port $py, not its $xx" \
	    "$y$H_RTP_RUN" "$H_ADDR:$py" "pt $pt"
	rtp_only "$x receives $y's payload type $pt from referd's port $px, not its $xy" \
	    "$x$H_RTP_RUN" "$H_ADDR:$px" "pt $pt"
}

# sip_msgs NAME: the messages of SIPp peer NAME's trace ($H_TMP/NAME.msg),
# one a line: "TIME sent|recv START-LINE | CSEQ" (TIME sortable,
# 2026-11-21T12:44:29.736366).
sip_msgs() {
	awk '
	    function out() { if (start != "") print t, dir, start, "|", cseq }
	    /^-----+ [0-9-]+ [0-9:.]+$/ { out(); t = $2 "T" $3
	        dir = start = cseq = ""; next }
	    { sub(/\r$/, "") }
	    dir == "" && /message received/ { dir = "recv"; next }
	    dir == "" && /message sent/ { dir = "sent"; next }
	    dir != "" && start == "" && NF { start = $0; next }
	    start != "" && cseq == "" && tolower($0) ~ /^cseq:/ {
	        cseq = $0; sub(/^[^:]*: */, "", cseq) }
	    END { out() }' "$H_TMP/$1.msg"
}

# sip_pick NAME DIR WHAT CSEQ: the lines of sip_msgs NAME for the messages
# that went DIR (sent or recv), whose start line begins with WHAT (a
# method, or "SIP/2.0 200") and whose CSeq is CSEQ ("2 INVITE").
sip_pick() {
	sip_msgs "$1" | awk -v d="$2" -v w="$3" -v c="$4" '
	    { i = index($0, " | "); start = substr($0, 1, i - 1)
	      sub(/^[^ ]+ [^ ]+ /, "", start) }
	    $2 == d && index(start, w) == 1 && substr($0, i + 3) == c'
}

# sip_got NAME WHAT: SIPp peer NAME has received a message whose start
# line begins with WHAT (a method, or "SIP/2.0 200").
sip_got() {
	sip_msgs "$1" | awk -v w="$2" '$2 == "recv" && index($0, " recv " w) > 0 { f = 1 }
	    END { exit !f }'
}

# sip_count NAME DIR WHAT CSEQ: how many such messages.
sip_count() {
	sip_pick "$@" | wc -l | tr -d ' '
}

# sip_time NAME DIR WHAT CSEQ: when the first of them went.
sip_time() {
	sip_pick "$@" | awk '{ print $1; exit }'
}

# h_before DESC T1 T2: T1 is no later than T2 (times of sip_time).
h_before() {
	if [ -n "$2" ] && [ -n "$3" ] &&
	    awk -v a="$2" -v b="$3" 'BEGIN { exit !(a <= b) }'; then
		h_result 0 "$1"
	else
		h_result 1 "$1"
		echo "#   '$2' is not before '$3'"
	fi
}

# sip_body NAME DIR PREFIX: the body lines starting with PREFIX ("o=") of
# the messages of peer NAME's trace that went DIR (sent or recv), each
# after the message's status code or method: "183 o=referd 12 1 IN ...".
sip_body() {
	awk -v d="$2" -v p="$3" '
	    /^-----+ [0-9-]+ [0-9:.]+$/ { dir = what = ""; body = 0; next }
	    { sub(/\r$/, "") }
	    dir == "" && /message received/ { dir = "recv"; next }
	    dir == "" && /message sent/ { dir = "sent"; next }
	    dir != "" && what == "" && NF {
	        what = $1 == "SIP/2.0" ? $2 : $1; next }
	    what != "" && !body && $0 == "" { body = 1; next }
	    body && dir == d && index($0, p) == 1 { print what, $0 }' \
	    "$H_TMP/$1.msg"
}

# sip_nth NAME DIR START N: the Nth message (from 1) of peer NAME's trace
# that went DIR (sent or recv) and whose start line begins with START and
# a space (a method, "SIP/2.0", "SIP/2.0 200"), as in the trace (CR LF).
sip_nth() {
	awk -v d="$2" -v m="$3" -v n="$4" '
	    /^-----+ [0-9-]+ [0-9:.]+$/ { if (sel) exit; dir = ""; st = 0; next }
	    dir == "" && /message received/ { dir = "recv"; next }
	    dir == "" && /message sent/ { dir = "sent"; next }
	    dir != "" && !st && NF { st = 1
	        if (dir == d && index($0, m " ") == 1 && ++k == n) sel = 1 }
	    sel { print }' "$H_TMP/$1.msg"
}

# sip_nth_body NAME DIR START N: that message's body, as it came.
sip_nth_body() {
	sip_nth "$@" | awk 'b { print; next } /^\r?$/ { b = 1 }'
}

# sip_nth_hdr NAME DIR START N HEADER: the value of the first HEADER of
# that message ("" when it has none).
sip_nth_hdr() {
	sip_nth "$1" "$2" "$3" "$4" | tr -d '\r' | awk -v h="$5" '
	    /^$/ { exit } tolower($0) ~ "^" tolower(h) ": *" {
	        sub(/^[^:]*: */, ""); print; exit }'
}

# sip_branches NAME DIR METHOD CSEQ: the distinct top Via branches of the
# METHOD requests with CSeq CSEQ ("2 INVITE") in peer NAME's trace that
# went DIR (sent or recv), one a line.
sip_branches() {
	awk -v d="$2" -v m="$3" -v c="$4" '
	    function out() { if (dir == d && meth == m && cseq == c && br != "")
	        print br }
	    /^-----+ [0-9-]+ [0-9:.]+$/ { out(); dir = meth = cseq = br = ""
	        start = 0; next }
	    { sub(/\r$/, "") }
	    dir == "" && /message received/ { dir = "recv"; next }
	    dir == "" && /message sent/ { dir = "sent"; next }
	    dir != "" && !start && NF { start = 1; meth = $1; next }
	    start && br == "" && tolower($0) ~ /^via:/ && match($0, /branch=[^;, ]+/) {
	        br = substr($0, RSTART + 7, RLENGTH - 7) }
	    start && cseq == "" && tolower($0) ~ /^cseq:/ {
	        cseq = $0; sub(/^[^:]*: */, "", cseq) }
	    END { out() }' "$H_TMP/$1.msg" | sort -u
}
# ---- real user agents -------------------------------------------------------
# The ua-*.sh tests run real SIP user agents as A, B and C, headless (no
# display, no sound card), each on its own address $H_NET.N:5060:
#
#   baresip (Debian's baresip-core 1.0): its own configuration directory
#     $H_TMP/NAME (-f): SIP on ADDR:5060 (UDP; it listens on TCP too),
#     media address ADDR (net_interface; baresip 1.0 binds its RTP socket
#     to the wildcard address, so what it sends leaves from 127.0.0.1),
#     RTP ports of its own, the account's codecs (audio_codecs=), answering
#     at once (answermode=auto), the ausine source (a 48 kHz stereo tone,
#     resampled for G.711) and no audio player module at all (baresip then
#     plays nothing).  It is driven through ctrl_tcp on ADDR:4444: JSON
#     commands in netstrings, written to the fifo NAME/ctl.in, which socat
#     carries to the socket; responses and events are appended to
#     NAME/events.  With -s it traces SIP to NAME.out.
#   linphonec (linphone-cli 5.1): HOME=$H_TMP/NAME (liblinphone does not
#     start its SIP stack without its database directory there), its own
#     configuration file (-c NAME/linphonerc): SIP and RTP bound to ADDR,
#     UDP only, the codecs given, no video; 'soundcard use files' and
#     'play' a WAV made by h_wav, so that the file is its microphone.
#     Commands are lines written to the fifo NAME/cmd, its standard input
#     (opened read-write, so that it never sees end of file); what it
#     prints goes to NAME.out, its log to NAME/log.
#
# Every UA (and socat) is started with h_spawn, so it is stopped by pid.
# What flows is checked on the wire with tests/tools/rtpsniff: the SIP
# messages between the given addresses (h_wire_start, then wire_* below)
# and the RTP each party receives (h_rtp_sniff).

RTPSNIFF=${RTPSNIFF:-${REFERD_BUILDDIR:-.}/tests/tools/rtpsniff}
H_UA_N=0

# h_skip REASON: the whole test is skipped (a TAP skip plan); call it
# before anything is started.
h_skip() {
	echo "1..0 # SKIP $*"
	H_DONE=1
	exit 0
}

# h_ua_need: the UAs and socat are installed (scripts/deps.sh), and an
# AF_PACKET socket can be opened (root): else the test is skipped.
h_ua_need() {
	h_need baresip linphonec socat "$RTPSNIFF"
	"$RTPSNIFF" -t 0 127.0.0.1 >"$H_TMP/rtpsniff-check.out" 2>&1 ||
		h_skip "rtpsniff cannot capture on lo:" \
		    "$(cat "$H_TMP/rtpsniff-check.out") (needs root)"
}

# h_ua_rtp_port: H_UA_RTP is the first of 10 RTP ports for the next UA of
# this test: 30000 + 100 per slot above 59 + 10 per UA; below Linux's
# ephemeral ports and above referd's ranges (20000 + 100 * slot) in the
# other tests, as baresip binds them on every address.
h_ua_rtp_port() {
	H_UA_N=$((H_UA_N + 1))
	H_UA_RTP=$((30000 + (H_SLOT - 59) * 100 + H_UA_N * 10))
}

# h_le32 N: N as 4 little-endian bytes.
h_le32() {
	printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($1 & 255)) \
	    $(($1 >> 8 & 255)) $(($1 >> 16 & 255)) $(($1 >> 24 & 255)))"
}

# h_wav FILE SECONDS: a WAV file (PCM, 16 bits, mono, 8 kHz) of a 400 Hz
# square wave, written with printf (no sound tool needed).
h_wav() {
	local f=$1 periods=$(($2 * 400)) n=1 len
	# One period: 10 samples of +8000, 10 of -8000.
	printf '\100\037\100\037\100\037\100\037\100\037\100\037\100\037\100\037\100\037\100\037' >"$f.pcm"
	printf '\300\340\300\340\300\340\300\340\300\340\300\340\300\340\300\340\300\340\300\340' >>"$f.pcm"
	while [ $n -lt $periods ]; do
		cat "$f.pcm" "$f.pcm" >"$f.tmp" && mv "$f.tmp" "$f.pcm"
		n=$((n * 2))
	done
	len=$(wc -c <"$f.pcm")
	{
		printf RIFF; h_le32 $((len + 36)); printf 'WAVEfmt '
		h_le32 16; printf '\001\000\001\000'	# PCM, mono
		h_le32 8000; h_le32 16000; printf '\002\000\020\000'
		printf data; h_le32 "$len"; cat "$f.pcm"
	} >"$f"
	rm -f "$f.pcm"
}

# h_ua_referd USER:ADDR...: referd on $H_ADDR:5060, a subagent of a
# private snmpd, with Refer Support enabled, one gateway per UA (ADDR,
# port 5060) and a route from the number USER to it; then the capture of
# the SIP between referd and the UAs (h_wire_start).
h_ua_referd() {
	local conf=$H_TMP/referd.conf i=0 u addrs=
	{
		echo "rtpPortRange $((20000 + H_SLOT * 100)) $((20099 + H_SLOT * 100))"
		echo "profile 1 p"
		echo "refer 1 support enabled"
		echo "signaling 1 $H_ADDR port 5060 transport udp profile 1"
		for u in "$@"; do
			i=$((i + 1))
			echo "gateway $i ua-${u%%:*} ${u#*:} port 5060"
			echo "route $i ${u%%:*} $i"
			addrs="$addrs ${u#*:}"
		done
	} >"$conf"
	h_referd_subagent "$conf"
	# shellcheck disable=SC2086
	h_wire_start "$H_ADDR" $addrs
}

# h_baresip NAME ADDR USER CODECS: baresip as NAME on ADDR:5060, account
# sip:USER@ADDR (answering any Request-URI user), offering and accepting
# CODECS (baresip's names, comma-separated, in order of preference, e.g.
# "opus/48000/2,PCMU/8000/1"), answering calls at once.  Returns when its
# SIP socket is bound and its control channel answers a command.
h_baresip() {
	local name=$1 addr=$2 user=$3 codecs=$4 dir=$H_TMP/$1 rtp
	h_ua_rtp_port
	rtp=$H_UA_RTP
	mkdir -p "$dir"
	cat >"$dir/config" <<-EOF
	poll_method		epoll
	sip_listen		$addr:5060
	net_interface		$addr
	call_local_timeout	60
	call_max_calls		4
	audio_source		ausine,440
	ausrc_srate		48000
	ausrc_channels		2
	rtp_ports		$rtp-$((rtp + 9))
	rtcp_mux		no
	jitter_buffer_delay	1-10
	module_path		/usr/lib/baresip/modules
	module			g711.so
	module			opus.so
	module			ausine.so
	module_tmp		account.so
	module_app		menu.so
	module_app		ctrl_tcp.so
	ctrl_tcp_listen		$addr:4444
	statmode_default	off
	ringback_disabled	yes
	EOF
	echo "<sip:$user@$addr>;regint=0;catchall=yes;answermode=auto;audio_codecs=$codecs" \
	    >"$dir/accounts"
	h_spawn "$name" env HOME="$dir" baresip -f "$dir" -s
	h_wait_for 10 listening "$addr" 5060 && h_wait_for 5 tcp_listening "$addr" 4444 ||
		h_bail "baresip $name did not start on $addr: $(tail -n 5 "$H_TMP/$name.out")"
	rm -f "$dir/ctl.in"
	mkfifo "$dir/ctl.in"
	: >"$dir/events"
	h_spawn "$name-ctl" socat -b 65536 "TCP:$addr:4444" \
	    "OPEN:$dir/ctl.in,rdwr!!OPEN:$dir/events,append"
	h_wait_for 5 bs_ready "$name" ||
		h_bail "baresip $name: no answer on ctrl_tcp $addr:4444"
}

# bs_ready NAME: baresip NAME answers a command over ctrl_tcp (sent again
# at each call: one written before socat opened the fifo is lost).
bs_ready() {
	bs_cmd "$1" listcalls "" ready
	sleep 0.2
	grep -q '"token":"ready"' "$H_TMP/$1/events"
}

# tcp_listening ADDR PORT: a TCP socket listens on ADDR:PORT.
tcp_listening() {
	awk -v k="$(udp_key "$1" "$2")" '$2 == k && $4 == "0A" { f = 1 }
	    END { exit !f }' /proc/net/tcp
}

# bs_cmd NAME COMMAND PARAMS [TOKEN]: send one ctrl_tcp command to baresip
# NAME (its menu commands: dial, accept, hangup, hold, resume, transfer,
# listcalls, ...).  PARAMS must not contain '"' or '\'.
bs_cmd() {
	local json="{\"command\":\"$2\",\"params\":\"${3:-}\",\"token\":\"${4:-$2}\"}"
	# Opened read-write: never blocks, even if socat is gone.
	printf '%d:%s,' ${#json} "$json" 1<>"$H_TMP/$1/ctl.in"
}

# bs_events NAME TYPE: how many events of TYPE (CALL_ESTABLISHED,
# CALL_CLOSED, ...) baresip NAME has sent.
bs_events() {
	grep -o "\"type\":\"$2\"" "$H_TMP/$1/events" | wc -l | tr -d ' '
}

# bs_wait NAME TYPE [COUNT [SECONDS]]: wait until baresip NAME has sent
# COUNT (default 1) events of TYPE, for at most SECONDS (default 10).
bs_wait() {
	h_wait_for "${4:-10}" bs_has "$1" "$2" "${3:-1}"
}

# bs_has NAME TYPE COUNT: at least COUNT events of TYPE.
bs_has() {
	[ "$(bs_events "$1" "$2")" -ge "$3" ]
}

# h_linphonec NAME ADDR USER CODECS [SIP]: linphonec as NAME on ADDR:5060
# (contact sip:USER@ADDR), its audio codecs CODECS (liblinphone's
# mime/rate, space-separated, in order of preference, e.g. "opus/48000
# PCMU/8000"; every other codec it enables by default is disabled), its
# microphone a WAV file; SIP, more lines of linphonerc's [sip] section
# (e.g. "100rel_support_level=1").  Returns when its SIP socket is bound
# and it took the sound commands.
h_linphonec() {
	local name=$1 addr=$2 user=$3 codecs=$4 sip=${5:-} dir=$H_TMP/$1 rtp
	h_ua_rtp_port
	rtp=$H_UA_RTP
	mkdir -p "$dir/.local/share/linphone"
	{
		cat <<-EOF
		[sip]
		sip_port=5060
		sip_tcp_port=0
		sip_tls_port=0
		bind_address=$addr
		contact="$name" <sip:$user@$addr>
		guess_hostname=0
		use_ipv6=0
		inc_timeout=60
		$sip
		[rtp]
		bind_address=$addr
		audio_rtp_port=$rtp
		nortp_timeout=60
		[sound]
		echocancellation=0
		[video]
		enabled=0
		capture=0
		display=0
		automatically_initiate=0
		automatically_accept=0
		EOF
		lp_codecs "$codecs"
	} >"$dir/linphonerc"
	[ -f "$H_TMP/tone.wav" ] || h_wav "$H_TMP/tone.wav" 30
	rm -f "$dir/cmd"
	mkfifo "$dir/cmd"
	h_spawn "$name" env HOME="$dir" sh -c 'exec linphonec -c "$1" -d 5 -l "$2" 0<>"$3"' \
	    sh "$dir/linphonerc" "$dir/log" "$dir/cmd"
	h_wait_for 10 listening "$addr" 5060 ||
		h_bail "linphonec $name did not start on $addr: $(tail -n 5 "$H_TMP/$name.out")"
	lp_cmd "$name" "soundcard use files"
	lp_cmd "$name" "play $H_TMP/tone.wav"
	h_wait_for 5 grep -q 'Using wav files instead of soundcard' "$H_TMP/$name.out" ||
		h_bail "linphonec $name does not take commands: $(tail -n 5 "$H_TMP/$name.out")"
}

# lp_codecs "CODECS": linphonerc's [audio_codec_N] sections: CODECS
# enabled, in that order, then the other codecs liblinphone enables by
# default, disabled (unlisted ones would be added enabled).
lp_codecs() {
	local i=0 c seen= on ch
	for c in $1 opus/48000 speex/16000 speex/8000 PCMU/8000 PCMA/8000 \
	    G729/8000 SILK/16000 GSM/8000 G722/8000; do
		case "$seen " in *" $c "*) continue ;; esac
		seen="$seen $c"
		case " $1 " in *" $c "*) on=1 ;; *) on=0 ;; esac
		ch=1
		[ "${c%/*}" != opus ] || ch=2
		printf '[audio_codec_%d]\nmime=%s\nrate=%s\nchannels=%d\nenabled=%d\n' \
		    $i "${c%/*}" "${c#*/}" $ch $on
		i=$((i + 1))
	done
}

# lp_cmd NAME LINE: one command to linphonec NAME (call URI, answer,
# pause, resume, transfer ..., terminate, calls).
lp_cmd() {
	# Opened read-write: never blocks, even if linphonec is gone.
	printf '%s\n' "$2" 1<>"$H_TMP/$1/cmd"
}

# lp_wait NAME REGEX [SECONDS]: wait until linphonec NAME printed a line
# matching the extended REGEX, for at most SECONDS (default 10).
lp_wait() {
	h_wait_for "${3:-10}" grep -Eq -- "$2" "$H_TMP/$1.out"
}

# ---- what flows on the wire ------------------------------------------------

# h_wire_start ADDR...: capture every SIP message sent to one of ADDRs
# (UDP or TCP) into $H_TMP/sip.wire until the end of the test.
h_wire_start() {
	H_WIRE=$H_TMP/sip.wire
	: >"$H_WIRE"
	h_spawn wire "$RTPSNIFF" -t 600000 -s "$H_WIRE" "$@"
	h_wait_for 5 grep -q '^rtpsniff: capturing' "$H_TMP/wire.out" ||
		h_bail "rtpsniff: $(cat "$H_TMP/wire.out")"
}

# wire_msgs FROM TO [REGEX...]: the SIP messages FROM sent to TO (IPv4
# addresses; ports not compared) that have, for each REGEX, a line
# matching it (extended regular expressions: "^INVITE ", "^Call-ID: ID"),
# in order, each after its "----" line, without the CRs.
wire_msgs() {
	local from=$1 to=$2 res=
	shift 2
	res=$(printf '%s\t' "$@")
	awk -v from="$from" -v to="$to" -v res="$res" '
	BEGIN { nre = split(res, re, "\t") - 1 }
	function flush(  i, ok) {
		ok = keep
		for (i = 1; i <= nre; i++) if (!(i in hit)) ok = 0
		if (ok) printf "%s", m
		m = ""; delete hit
	}
	/^---- / { flush(); split($3, s, ":"); split($5, d, ":")
		keep = s[1] == from && d[1] == to; m = $0 "\n"; next }
	{ sub(/\r$/, ""); m = m $0 "\n"
	  for (i = 1; i <= nre; i++) if ($0 ~ re[i]) hit[i] = 1 }
	END { flush() }' "$H_WIRE"
}

# wire_count FROM TO FIRST [REGEX...]: how many SIP messages FROM sent to
# TO have a first line matching the extended regular expression FIRST
# (and a line matching each REGEX); a retransmission counts again.
wire_count() {
	local from=$1 to=$2 first=$3
	shift 3
	wire_msgs "$from" "$to" "$@" | awk -v re="$first" '
	    /^---- / { getline; if ($0 ~ re) n++ } END { print n + 0 }'
}

# wire_time FROM TO [REGEX...]: when the first of those messages went
# (seconds since the epoch, as captured), empty when none did.
wire_time() {
	wire_msgs "$@" | awk '/^---- / { print $2; exit }'
}

# msg_hdr NAME: the value of the first header NAME of the SIP message on
# standard input (its long name; "" when it has none).
msg_hdr() {
	awk -v h="$1" '/^$/ { exit } tolower($0) ~ "^" tolower(h) ": *" {
	    sub(/^[^:]*: */, ""); print; exit }'
}

# wire_has FROM TO FIRST [REGEX...]: wire_count is not 0.
wire_has() {
	[ "$(wire_count "$@")" != 0 ]
}

# wire_bye UA CALLID: the dialog CALLID between UA and referd was ended by
# a BYE (from either side) that got a 200.
wire_bye() {
	{ wire_has "$1" "$H_ADDR" '^BYE ' "^Call-ID: $2" &&
	    wire_has "$H_ADDR" "$1" '^SIP/2.0 200 ' "^Call-ID: $2" '^CSeq: [0-9]+ BYE'; } ||
	{ wire_has "$H_ADDR" "$1" '^BYE ' "^Call-ID: $2" &&
	    wire_has "$1" "$H_ADDR" '^SIP/2.0 200 ' "^Call-ID: $2" '^CSeq: [0-9]+ BYE'; }
}

# wire_callid FROM TO [N]: the Call-ID of the Nth (default first) INVITE
# FROM sent to TO that started a dialog (no To tag).
wire_callid() {
	wire_msgs "$1" "$2" '^INVITE ' | awk -v n="${3:-1}" '
	    /^---- / { cid = ""; tagged = 0; inv = 0; next }
	    /^INVITE / { inv = 1 } /^(To|t): .*;tag=/ { tagged = 1 }
	    /^(Call-ID|i): / { cid = $2 }
	    /^$/ && inv && cid != "" && !tagged && !(cid in seen) { seen[cid] = 1; if (++k == n) { print cid; exit } }'
}

# wire_sdp FROM TO [REGEX...]: the SDP body of the last SIP message from
# FROM to TO (with lines matching each REGEX) that has one.
wire_sdp() {
	wire_msgs "$@" | awk '
	/^---- / { if (b ~ /(^|\n)v=0\n/) last = b; b = ""; inb = 0; next }
	!inb && /^$/ { inb = 1; next }
	inb { b = b $0 "\n" }
	END { if (b ~ /(^|\n)v=0\n/) last = b; printf "%s", last }'
}

# wire_dir_is DIR FROM TO [REGEX...]: the direction of the last SDP FROM
# sent to TO (wire_sdp) is DIR.
wire_dir_is() {
	local dir=$1
	shift
	[ "$(wire_sdp "$@" | sdp_dir)" = "$dir" ]
}

# sdp_fmts: the payload types of the first m=audio line of the SDP read
# from standard input.
sdp_fmts() {
	awk '/^m=audio / { for (i = 4; i <= NF; i++) printf "%s%s", (i > 4 ? " " : ""), $i; print ""; exit }'
}

# sdp_media: ADDR:PORT of the first audio stream of the SDP on standard
# input (the media c= line if there is one, else the session's).
sdp_media() {
	awk '/^c=IN IP4 / { c = $3 } /^m=audio / { p = $2; m = 1; next }
	    m && /^c=IN IP4 / { c = $3 } /^m=/ && m { exit }
	    END { print c ":" p }'
}

# sdp_dir: the direction of the first audio stream of the SDP on standard
# input (a= at media level, else session level, else sendrecv).
sdp_dir() {
	awk '/^a=(sendrecv|sendonly|recvonly|inactive)/ { d = substr($0, 3); if (m) md = d; else sd = d }
	    /^m=audio / { m = 1 }
	    END { print md != "" ? md : sd != "" ? sd : "sendrecv" }'
}

# h_rtp_sniff SECONDS FILE ADDR...: capture the RTP sent to ADDRs (and to
# 127.0.0.1, where baresip's RTP comes from and so where a relay that
# answers to the source sends it) for SECONDS; FILE gets one line per
# destination, source and payload type: "DST:PORT SRC:PORT PT COUNT".
h_rtp_sniff() {
	local s=$1 f=$2
	shift 2
	"$RTPSNIFF" -t $((s * 1000)) "$@" 127.0.0.1 >"$f" 2>"$f.err" ||
		h_bail "rtpsniff: $(cat "$f.err")"
}

# rtp_pts FILE DST: the payload types sent to DST (ADDR:PORT), sorted,
# space-separated.
rtp_pts() {
	awk -v d="$2" '$1 == d { print $3 }' "$1" | sort -nu | tr '\n' ' ' | sed 's/ $//'
}

# rtp_count FILE DST: how many RTP packets were sent to DST (ADDR:PORT).
rtp_count() {
	awk -v d="$2" '$1 == d { n += $4 } END { print n + 0 }' "$1"
}

# rtp_count_ua FILE ADDR:PORT: how many RTP packets a UA whose SDP gave
# ADDR:PORT received: sent there, or to 127.0.0.1:PORT (see
# h_ua_rtp_check).
rtp_count_ua() {
	echo $(($(rtp_count "$1" "$2") + $(rtp_count "$1" "127.0.0.1:${2#*:}")))
}

# rtp_sources FILE DST: the source addresses (no port) of what was sent
# to DST, sorted, space-separated.
rtp_sources() {
	awk -v d="$2" '$1 == d { split($2, s, ":"); print s[1] }' "$1" | sort -u |
		tr '\n' ' ' | sed 's/ $//'
}

# subset "A B" "A B C": every word of the first list is in the second.
subset() {
	local w
	for w in $1; do
		case " $2 " in *" $w "*) ;; *) return 1 ;; esac
	done
	return 0
}

# common "A B C" "B C D": the words of the first list also in the second.
common() {
	local w out=
	for w in $1; do
		case " $2 " in *" $w "*) out="$out${out:+ }$w" ;; esac
	done
	echo "$out"
}

# h_ua_rtp_check WHO UA FILE [REGEX]: what UA (an address) received in the
# RTP capture FILE, against UA's last SDP exchange with referd ($H_ADDR)
# on the wire (messages with a line matching REGEX, e.g. its Call-ID):
#  - RTP arrived at the port UA signalled, on its address (or on
#    127.0.0.1: baresip's RTP socket is bound to the wildcard address, so
#    its RTP leaves from 127.0.0.1, and what referd sends back to that
#    source reaches it too; the port is UA's own);
#  - each payload type in it is one UA negotiated (listed both in the last
#    SDP UA sent to referd and in the last it received from referd);
#  - all of it came from referd's address.
# Three results.  Sets H_UA_NEG (the negotiated payload types), H_UA_MEDIA
# (ADDR:PORT in UA's SDP) and H_UA_RX (where UA's RTP was received).
h_ua_rtp_check() {
	local who=$1 ua=$2 f=$3 re=${4:-} mine theirs n pts src d
	mine=$(wire_sdp "$ua" "$H_ADDR" ${re:+"$re"})
	theirs=$(wire_sdp "$H_ADDR" "$ua" ${re:+"$re"})
	H_UA_MEDIA=$(printf '%s\n' "$mine" | sdp_media)
	H_UA_NEG=$(common "$(printf '%s\n' "$mine" | sdp_fmts)" \
	    "$(printf '%s\n' "$theirs" | sdp_fmts)")
	H_UA_RX=$(awk -v m="$H_UA_MEDIA" -v lo="127.0.0.1:${H_UA_MEDIA#*:}" \
	    '$1 == m || $1 == lo { print $1 }' "$f" | sort -u | tr '\n' ' ' |
	    sed 's/ $//')
	n=0 pts= src=
	for d in $H_UA_RX; do
		n=$((n + $(rtp_count "$f" "$d")))
		pts="$pts $(rtp_pts "$f" "$d")"
		src="$src $(rtp_sources "$f" "$d")"
	done
	pts=$(echo $pts | tr ' ' '\n' | sort -nu | tr '\n' ' ' | sed 's/ $//')
	src=$(echo $src | tr ' ' '\n' | sort -u | tr '\n' ' ' | sed 's/ $//')
	h_ok "$who receives RTP at the port of its SDP, $H_UA_MEDIA (at ${H_UA_RX:-nothing}: $n packets)" \
	    test "$n" -ge 20
	h_ok "$who receives only payload types it negotiated (${pts:-none} of $H_UA_NEG)" \
	    subset "$pts" "$H_UA_NEG"
	h_is "$who receives it from referd's address only" "$src" "$H_ADDR"
	if [ "$n" -lt 20 ] || ! subset "$pts" "$H_UA_NEG" || [ "$src" != "$H_ADDR" ]; then
		echo "#   $who sent:"; printf '%s\n' "$mine" | sed 's/^/#     /'
		echo "#   $who received:"; printf '%s\n' "$theirs" | sed 's/^/#     /'
		echo "#   RTP seen:"; sed 's/^/#     /' "$f"
	fi
}
