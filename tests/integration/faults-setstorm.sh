#!/bin/sh
# faults-setstorm.sh: referd killed with -9 in the middle of a storm of
# SETs (one gateway created per SET, as fast as snmpset goes): after the
# restart the persistent file reads back without a dropped line and every
# SET that was acknowledged is there, with its values.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 45 faults-setstorm
conf=$H_TMP/referd.conf
printf 'profile 1 base\n' >"$conf"
h_referd_subagent "$conf"
pfile=$H_REFERD_PERSIST/referd.conf
acked=$H_TMP/acked
: >"$acked"

# The storm: gateways 1..400, one createAndGo SET each; the index of
# every SET snmpset reports as done goes to $acked.
cat >"$H_TMP/storm.sh" <<EOF2
i=1
while [ \$i -le 400 ]; do
	if snmpset -v2c -c private -t 1 -r 0 $H_AGENT \\
	    $GW.8.\$i i 4 $GW.2.\$i s gw\$i $GW.3.\$i s 127.0.45.\$((i % 200 + 10)) \\
	    >/dev/null 2>&1; then
		echo \$i >>$acked
	fi
	i=\$((i + 1))
done
EOF2
h_spawn storm sh "$H_TMP/storm.sh"
storm=$H_PID
h_ok "the storm is acknowledged SET after SET" \
	h_wait_for 20 sh -c "[ \$(wc -l <'$acked') -ge 60 ]"
kill -KILL "$H_REFERD_PID"
h_wait_exit "$H_REFERD_PID" 5
sleep 1.5                     # the SET in flight times out
h_stop "$storm"
n=$(wc -l <"$acked" | tr -d ' ')
h_ok "the storm was cut short by the kill ($n of 400 acknowledged)" \
	test "$n" -ge 60 -a "$n" -lt 400

cp "$H_TMP/referd.log" "$H_TMP/referd.log.before"
h_referd_subagent "$conf"
h_not "the persistent file reads back without a dropped line" \
	grep -q 'dropped' "$H_TMP/referd.log"
walk=$(h_walk "$GW.2")
missing=0
for i in $(cat "$acked"); do
	printf '%s\n' "$walk" | grep -q "^$GW\\.2\\.$i = STRING: \"gw$i\"\$" ||
		{ missing=$((missing + 1)); echo "# missing gateway $i"; }
done
h_is "every acknowledged SET is there after the restart" "$missing" 0
h_is "... active, with its address" "$(sget "$GW.8.$(tail -n 1 "$acked")")" 1
h_ok "referd takes SETs again" sh -c "snmpset -v2c -c private -t 3 -r 0 $H_AGENT $GW.8.401 i 4 $GW.2.401 s after $GW.3.401 s 127.0.45.9 >/dev/null"
# A kill during a write may leave the temporary file of that write (the
# rename never happened, so the persistent file is the previous one); the
# next write replaces it.
h_not "after the next SET no temporary file is left beside the persistent file" \
	sh -c "ls '$H_REFERD_PERSIST' | grep -v '^referd.conf\$' | grep -v '^cert_indexes\$' | grep -q ."
h_done
