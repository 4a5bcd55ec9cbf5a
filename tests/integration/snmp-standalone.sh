#!/bin/sh
# snmp-standalone.sh: referd -M, its own SNMP agent with access control
# from its configuration file: an SNMPv3 authPriv user with write access
# succeeds, a read-only community is refused, traps go to trap2sink.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 11 snmp-standalone
h_snmptrapd_start
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
profile 1 base
rocommunity public 127.0.0.0/8
createUser opuser SHA "auth-secret-1" AES "priv-secret-1"
rwuser opuser priv
trap2sink udp:$H_ADDR:$H_TRAP_PORT public
EOF2
mkdir -p "$H_TMP/referd-persist"
SNMP_PERSISTENT_DIR=$H_TMP/referd-persist h_referd_start "$conf" \
	-M "udp:$H_ADDR:$H_SNMP_PORT"
H_AGENT=$H_ADDR:$H_SNMP_PORT
h_ok "referd -M answers SNMP itself" h_wait_for 10 h_answers
h_ok "no snmpd is involved: nothing else listens there" \
	sh -c "grep -q 'master agent mode on udp:$H_AGENT' '$H_TMP/referd.log'"

V3="-v3 -l authPriv -u opuser -a SHA -A auth-secret-1 -x AES -X priv-secret-1 -t 3 -r 0 -On"
out=$(snmpset $V3 "$H_AGENT" "$SGP.4.4" i 4 "$SGP.2.4" s via-v3 2>&1); rc=$?
h_is "an SNMPv3 authPriv user with rwuser access can SET" "$rc" 0
h_is "... and the row is there" "$(sget "$SGP.2.4")" via-v3
out=$(snmpget $V3 "$H_AGENT" "$SGP.2.4" 2>&1)
h_like "the same user reads with authPriv" "$out" 'STRING: "via-v3"'
out=$(snmpget -v3 -l authPriv -u opuser -a SHA -A wrong-secret -x AES \
	-X priv-secret-1 -t 2 -r 0 "$H_AGENT" "$SGP.2.4" 2>&1)
h_like "a wrong pass phrase is refused" "$out" 'Authentication failure|authorizationError|Timeout'
out=$(snmpset -v3 -l noAuthNoPriv -u opuser -t 2 -r 0 "$H_AGENT" \
	"$SGP.2.4" s nope 2>&1)
h_like "the user without authentication and privacy cannot SET" "$out" \
	'authorizationError|noAccess|unsupportedSecurityLevel|Unsupported security level'
out=$(snmpset -v2c -c public -t 2 -r 0 "$H_AGENT" "$SGP.2.4" s nope 2>&1)
h_like "a read-only community's SET is refused" "$out" 'noAccess|notWritable|authorizationError'
h_is "... and changed nothing" "$(sget "$SGP.2.4")" via-v3
out=$(snmpget -v2c -c private -t 1 -r 0 "$H_AGENT" "$SGP.2.4" 2>&1)
h_like "an unknown community gets no answer" "$out" 'Timeout'
h_ok "the SET's referdConfigChange goes to the trap sink" \
	h_wait_for 5 grep -q "$RO.9.6.0 = OID: $SGP.4.4" "$H_TRAPLOG"
h_grep "the persistent file keeps the row" "$H_TMP/referd-persist/referd.conf" \
	'^referdRow 2 4 3 1 '
h_done
