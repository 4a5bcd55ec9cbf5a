#!/bin/sh
# snmp-rowstatus-values.sh: a RowStatus value outside RFC 2579's SET
# values (active 1, notInService 2, createAndGo 4, createAndWait 5,
# destroy 6) is wrongValue on every writable table: 0 (a RowStatus of
# 0 is no value of the textual convention at all), 7, and -1 (a signed
# value), on an existing row and on a missing one; and a refused SET
# changes nothing (the whole MIB reads the same afterwards).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 91 snmp-rowstatus-values
conf=$H_TMP/referd.conf
cat >"$conf" <<EOF2
profile 1 base
refer 1 support enabled
signaling 1 $H_ADDR port 5060
gateway 1 gw1 $H_NET.21
route 1 default 1
EOF2
h_referd_subagent "$conf"

# One row of each table made over SNMP (nonVolatile), beside the
# configuration file's permanent ones.
h_set_ok "profile 2 with its Refer Support row" \
	"$SGP.4.2" i 4 "$SGP.2.2" s two "$REFER.7.2" i 4
h_set_ok "signaling 2, gateway 2, route 2" \
	"$SIG.7.2" i 4 "$SIG.2.2" s "$H_NET.1" "$SIG.3.2" u 5070 \
	"$GW.8.2" i 4 "$GW.2.2" s gw2 "$GW.3.2" s "$H_NET.22" \
	"$ROUTE.5.2" i 4 "$ROUTE.2.2" s 44 "$ROUTE.3.2" u 2

# The whole MIB but what moves by itself (referdActiveCalls, the
# notifications dropped count).
mib() {
	h_walk "$RO" | grep -v '\.1\.1\.[35]\.0 '
}
before=$(mib)
h_like "the walk shows the rows" "$before" "$ROUTE.5.2 = INTEGER: 1"

for t in "referdSgpRowStatus:$SGP.4" "referdReferRowStatus:$REFER.7" \
    "referdSigRowStatus:$SIG.7" "referdGwRowStatus:$GW.8" \
    "referdRouteRowStatus:$ROUTE.5"; do
	name=${t%%:*}
	rs=${t#*:}
	for v in 0 7 -1; do
		for idx in 1 2; do
			h_set_err "$name.$idx = $v: wrongValue" wrongValue \
				"$rs.$idx" "$rs.$idx" i "$v"
		done
		h_set_err "$name.9 = $v (no such row): wrongValue" wrongValue \
			"$rs.9" "$rs.9" i "$v"
	done
	h_is "$name: after the refused SETs the MIB is as before" \
		"$(mib)" "$before"
done

# With a valid column in the same PDU, nothing of it is applied either.
h_set_err "a PDU renaming a profile with RowStatus 0 is refused" wrongValue \
	"$SGP.4.2" "$SGP.2.2" s renamed "$SGP.4.2" i 0
h_is "... and the profile keeps its name" "$(sget "$SGP.2.2")" two
h_is "the MIB is as before after every refused SET" "$(mib)" "$before"
h_ok "referd is still running" h_alive "$H_REFERD_PID"
h_done
