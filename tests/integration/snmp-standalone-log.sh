#!/bin/sh
# snmp-standalone-log.sh: referd -M with v2c communities from its
# configuration file logs only what is true: the read community reads,
# the write community writes, and the log says neither that no access
# control is configured nor anything of SMUX (referd is no SMUX master:
# it opens no SMUX port, TCP 199, at all).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 92 snmp-standalone-log
h_need ss
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
profile 1 base
rocommunity rd-$H_SLOT $H_NET.0/24
rwcommunity wr-$H_SLOT $H_NET.0/24
EOF2
mkdir -p "$H_TMP/referd-persist"
SNMP_PERSISTENT_DIR=$H_TMP/referd-persist h_referd_start "$conf" \
	-M "udp:$H_ADDR:$H_SNMP_PORT"
H_AGENT=$H_ADDR:$H_SNMP_PORT
# The tools speak from the test's own address block.
TOOL="-t 3 -r 0 --clientaddr=$H_NET.2 -On"

h_ok "the read community reads referdVersion" h_wait_for 10 \
	snmpget -v2c -c "rd-$H_SLOT" $TOOL "$H_AGENT" "$RO.1.1.0"
out=$(snmpget -v2c -c "rd-$H_SLOT" $TOOL "$H_AGENT" "$SGP.2.1" 2>&1)
h_like "... and a profile's name" "$out" 'STRING: "?base"?'
out=$(snmpset -v2c -c "wr-$H_SLOT" $TOOL "$H_AGENT" \
	"$SGP.4.2" i 4 "$SGP.2.2" s written 2>&1)
h_like "the write community creates a profile" "$out" \
	"$SGP.2.2 = STRING: \"?written\"?"
out=$(snmpget -v2c -c "rd-$H_SLOT" $TOOL "$H_AGENT" "$SGP.2.2" 2>&1)
h_like "... which the read community sees" "$out" 'STRING: "?written"?'
out=$(snmpset -v2c -c "rd-$H_SLOT" $TOOL "$H_AGENT" "$SGP.2.2" s nope 2>&1)
h_like "the read community cannot write" "$out" 'noAccess|notWritable|authorizationError'
out=$(snmpget -v2c -c nobody $TOOL -t 1 "$H_AGENT" "$RO.1.1.0" 2>&1)
h_like "an unknown community gets no answer" "$out" 'Timeout'

log=$H_TMP/referd.log
h_grep "the log says where referd listens" "$log" \
	"master agent mode on udp:$H_AGENT"
h_not "the log does not say that no access control is configured" \
	grep -qi 'no access control' "$log"
h_not "the log says nothing of SMUX" grep -qi 'smux' "$log"
h_not "referd listens on no TCP port (no SMUX port 199)" \
	sh -c "ss -ltnpH | grep -q 'pid=$H_REFERD_PID,'"
h_ok "referd is still running" h_alive "$H_REFERD_PID"
h_done
