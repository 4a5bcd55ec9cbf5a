#!/bin/sh
# snmp-persist.sh: StorageType across restarts, durability against kill -9,
# and a corrupt or truncated persistent file.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 9 snmp-persist
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
maxCalls 10
profile 1 fromfile
profile 2 locked readOnly
gateway 1 gw1 $H_NET.21
EOF2
h_referd_subagent "$conf"
pfile=$H_REFERD_PERSIST/referd.conf

# restart HOW: stop referd with TERM (checking that it was running and
# exits 0) or KILL, or not at all (already killed), and start it again.
restart() {
	cp "$H_TMP/referd.log" "$H_TMP/referd.log.$(date +%s%N)"
	case $1 in
	KILL)
		kill -KILL "$H_REFERD_PID"
		h_wait_exit "$H_REFERD_PID" 5 ;;
	TERM)
		h_referd_check "$H_REFERD_PID" ;;
	esac
	h_referd_subagent "$conf"
}

h_set_ok "a nonVolatile profile (the default storage)" \
	"$SGP.4.10" i 4 "$SGP.2.10" s durable
h_set_ok "a volatile profile" "$SGP.4.11" i 4 "$SGP.2.11" s fleeting "$SGP.3.11" i 2
h_set_ok "a notInService nonVolatile gateway" \
	"$GW.8.5" i 5 "$GW.2.5" s "gw five" "$GW.3.5" s "$H_NET.25" "$GW.4.5" u 5070
h_set_ok "a permanent row's name changed" "$SGP.2.1" s renamed
h_set_ok "referdMaxCalls, referdNotifyRateLimit and referdInstanceName" \
	"$RO.1.2.0" u 123 "$RO.1.4.0" u 5 "$RO.1.6.0" s persist-9
h_set_ok "a route with the empty (default) prefix" \
	"$ROUTE.5.3" i 4 "$ROUTE.3.3" u 5
h_grep "the persistent file has the nonVolatile row" "$pfile" '^referdRow 2 10 3 1 '
h_not "the persistent file has no volatile row" grep -q '^referdRow 2 11 ' "$pfile"
h_not "the persistent file has no readOnly row" grep -q '^referdRow 2 2 ' "$pfile"

restart TERM
h_is "after a restart: the nonVolatile profile is there" "$(sget "$SGP.2.10")" durable
h_is "... the volatile profile is gone" "$(sget "$SGP.2.11")" \
	"No Such Instance currently exists at this OID"
h_is "... the gateway is still notInService" "$(sget "$GW.8.5")" 2
h_is "... with its name (with a space)" "$(sget "$GW.2.5")" "gw five"
h_is "... and its port" "$(sget "$GW.4.5")" 5070
h_is "... the permanent row keeps the name set over SNMP" "$(sget "$SGP.2.1")" renamed
h_is "... and is still permanent" "$(sget "$SGP.3.1")" 4
h_is "... the readOnly row is as the file says" "$(sget "$SGP.2.2")" locked
h_is "... referdMaxCalls kept the SET value" "$(sget "$RO.1.2.0")" 123
h_is "... referdNotifyRateLimit too" "$(sget "$RO.1.4.0")" 5
h_is "... and referdInstanceName" "$(sget "$RO.1.6.0")" persist-9
h_grep "... which the engine's log lines carry" "$H_TMP/referd.log" \
	'^\[persist-9\] engine: configuration 1 applied'
h_is "... the default route's empty prefix" "$(sget "$ROUTE.2.3")" ""
h_grep "... and the engine got all of it" "$H_TMP/referd.log" \
	'configuration 1 applied: 3 profiles, 0 refer support, 0 signaling, 1 gateways, 1 routes active; maxCalls 123'

# kill -9 right after each acknowledged SET loses nothing.
i=100
while [ $i -lt 120 ]; do
	sset "$SGP.4.$i" i 4 "$SGP.2.$i" s "p$i" || break
	i=$((i + 1))
done
sset "$GW.2.5" s last-write
kill -KILL "$H_REFERD_PID"
h_wait_exit "$H_REFERD_PID" 5
h_is "20 profiles were acknowledged before kill -9" "$i" 120
h_not "no temporary file is left behind" test -e "$pfile.tmp"
restart after-kill
n=$(h_walk "$SGP.2" | grep -c '"p1[01][0-9]"')
h_is "after kill -9 every acknowledged profile is there" "$n" 20
h_is "... and the last acknowledged write too" "$(sget "$GW.2.5")" last-write

# A corrupt persistent file: the good lines are kept, the rest is named.
h_referd_check "$H_REFERD_PID"
cat >>"$pfile" <<'EOF2'
referdRow 2 12 3 1 "twelve"
referdRow 2 13 3
referdRow 99 1 3 1 "nope"
referdRow 2 14 3 1 "x" 2 1800 90 1 2 1 5 trailing
referdRow 6 40 3 1 "12" 77
referdRow 2 10 3 1 "again"
profile 50 sneaky
this is not a token
EOF2
h_referd_subagent "$conf"
log=$H_TMP/referd.log
h_is "a corrupt file: referd starts and keeps the good rows" "$(sget "$SGP.2.12")" twelve
h_is "a row saved without the later columns takes their defaults (1800, 90, relay, 5)" \
    "$(sget "$SGP.6.12") $(sget "$SGP.7.12") $(sget "$SGP.10.12") $(sget "$SGP.11.12")" "1800 90 1 5"
h_grep "a truncated row is reported and dropped" "$log" \
	'line [0-9]+: Error: persistent row unreadable \(truncated\?\): dropped'
h_grep "an unknown table is reported and dropped" "$log" \
	'impossible table, index, storage type or status: dropped'
h_grep "trailing data is reported and dropped" "$log" \
	'persistent referdSgpTable row 14: unexpected data at the end: dropped'
h_grep "a row naming a missing gateway is reported and dropped" "$log" \
	'saved referdRouteTable row 40 breaks rule gateway-must-exist .*: dropped'
h_grep "a duplicate row is reported and dropped" "$log" \
	'persistent referdSgpTable row 10 appears twice'
h_grep "a configuration token in the persistent file is refused" "$log" \
	'this token belongs in the configuration file'
h_is "the first of two duplicate rows wins" "$(sget "$SGP.2.10")" durable
h_is "the dropped route is absent" "$(sget "$ROUTE.5.40")" \
	"No Such Instance currently exists at this OID"
h_is "the injected profile line did not create a row" "$(sget "$SGP.2.50")" \
	"No Such Instance currently exists at this OID"

# A file cut in the middle of a line.
h_referd_check "$H_REFERD_PID"
size=$(wc -c <"$pfile")
head -c $((size - 7)) "$pfile" >"$pfile.cut" && mv "$pfile.cut" "$pfile"
h_referd_subagent "$conf"
h_is "a truncated file: referd starts and answers" "$(sget "$SGP.2.10")" durable
h_ok "referd is still running" h_alive "$H_REFERD_PID"

# A referdScalars line written before referdInstanceName existed (two
# values): the saved ones are used, the name is the configuration file's.
h_referd_check "$H_REFERD_PID"
sed -i 's/^referdScalars .*/referdScalars 77 6/' "$pfile"
printf 'instanceName from-file\n' >>"$conf"
h_referd_subagent "$conf"
h_is "an older referdScalars line: its referdMaxCalls is used" \
	"$(sget "$RO.1.2.0")" 77
h_is "... and referdInstanceName is the file's" "$(sget "$RO.1.6.0")" from-file
h_done
