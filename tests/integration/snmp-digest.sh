#!/bin/sh
# snmp-digest.sh: referdConfigDigest on two instances (each referd -M on
# its own address) with the same policy rows and their own names, signaling
# endpoints, RTP ranges and CDR directories: equal; a SET of a policy
# column on one makes them differ and setting it back makes them equal
# again; a SET of an excluded object (CDR directory, an endpoint's port, a
# row created notInService) leaves it; a changed file read on SIGHUP
# changes it.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 59 snmp-digest
DIGEST=$RO.1.7.0
A1=$H_NET.1
A2=$H_NET.11
mkdir -p "$H_TMP/cdr1" "$H_TMP/cdr2" "$H_TMP/cdr3"
policy="profile 1 carrier sessionExpires 600
refer 1 support enabled delayedAnswer enabled delayedAnswerTimer 2
gateway 1 caller-a $H_NET.2 port 0
gateway 2 callee-b $H_NET.3 port 5060
route 1 default 2
maxCalls 100"
h_referd_instance r1 "$A1" "$policy
instanceName r1
signaling 1 $A1 port 5060
rtpPortRange 25900 25949
cdrDirectory $H_TMP/cdr1"
P1=$H_PID
h_referd_instance r2 "$A2" "$policy
instanceName r2
signaling 1 $A2 port 5062 transport tcp
rtpPortRange 25950 25999
cdrDirectory $H_TMP/cdr2"
P2=$H_PID

dget() {
	snmpget -v2c -c public -Oqv -t 3 -r 0 "$1:$H_SNMP_PORT" "$DIGEST" 2>&1 |
		tr -d '"'
}
dset() {
	local at=$1
	shift
	snmpset -v2c -c private -t 3 -r 0 "$at:$H_SNMP_PORT" "$@" >/dev/null 2>&1
}

D1=$(dget "$A1")
D2=$(dget "$A2")
h_like "referdConfigDigest is 64 lowercase hex digits" "$D1" '^[0-9a-f]{64}$'
h_is "two instances with the same policy, their own names, endpoints, RTP ranges and CDR directories: equal" \
	"$D2" "$D1"
h_is "it reads the same again (nothing changed)" "$(dget "$A1")" "$D1"

dset "$A1" "$GW.4.2" u 5062
D=$(dget "$A1")
h_like "a SET of a gateway's port on r1 changes r1's digest" "$D" '^[0-9a-f]{64}$'
h_not "... so the instances differ" test "$D" = "$D2"
dset "$A1" "$GW.4.2" u 5060
h_is "set back: equal again" "$(dget "$A1")" "$D2"

dset "$A2" "$RO.10.1.0" s "$H_TMP/cdr3"
h_is "... r2's CDR directory set (excluded: a path)" \
	"$(snmpget -v2c -c public -Oqv -t 3 -r 0 "$A2:$H_SNMP_PORT" "$RO.10.1.0" | tr -d '"')" \
	"$H_TMP/cdr3"
dset "$A2" "$SIG.3.1" u 5064
h_is "... and its endpoint's port (excluded: the instance's own)" \
	"$(snmpget -v2c -c public -Oqv -t 3 -r 0 "$A2:$H_SNMP_PORT" "$SIG.3.1")" 5064
dset "$A2" "$GW.8.7" i 5 "$GW.2.7" s dave "$GW.3.7" s "$H_NET.7"
h_is "... and a gateway created with createAndWait (notInService)" \
	"$(snmpget -v2c -c public -Oqv -t 3 -r 0 "$A2:$H_SNMP_PORT" "$GW.8.7")" 2
h_is "none of them changed r2's digest" "$(dget "$A2")" "$D1"
dset "$A2" "$GW.8.7" i 1
h_not "the row made active changes it" test "$(dget "$A2")" = "$D1"
dset "$A2" "$GW.8.7" i 6
h_is "destroyed: back" "$(dget "$A2")" "$D1"
dset "$A1" "$RO.1.2.0" u 200
h_not "a SET of referdMaxCalls changes it" test "$(dget "$A1")" = "$D1"
dset "$A1" "$RO.1.2.0" u 100
h_is "... set back" "$(dget "$A1")" "$D1"

out=$(snmpset -v2c -c private -t 3 -r 0 "$A1:$H_SNMP_PORT" "$DIGEST" s x 2>&1)
h_like "referdConfigDigest is not writable" "$out" 'notWritable'
dset "$A1" "$RO.1.6.0" s r1-renamed
h_is "referdInstanceName set on r1" \
	"$(snmpget -v2c -c public -Oqv -t 3 -r 0 "$A1:$H_SNMP_PORT" "$RO.1.6.0" | tr -d '"')" \
	r1-renamed
h_is "... leaves its digest (excluded: the instance's own)" "$(dget "$A1")" "$D1"

# The digest recomputed here from the MIB's DESCRIPTION: one line per
# value, `GROUP-OR-TABLE INDEX COLUMN LENGTH:VALUE`, the values read with
# snmpget (inviteTimeout and dialogKeepalive: the file's, or defaults).
v() {
	snmpget -v2c -c public -Oqv -On -t 3 -r 0 "$A1:$H_SNMP_PORT" "$1" |
		sed 's/^"//; s/"$//'
}
line() {
	printf '%s %s %s %s:%s\n' "$1" "$2" "$3" "${#4}" "$4"
}
{
	line referdGeneral 0 referdMaxCalls "$(v $RO.1.2.0)"
	line referdGeneral 0 referdNotifyRateLimit "$(v $RO.1.4.0)"
	line referdGeneral 0 inviteTimeout 180
	line referdGeneral 0 dialogKeepalive 120
	for a in 2:CdrFormat 3:CdrRotateSize 4:CdrRotateInterval \
	    5:CdrSyncInterval 8:RadiusServer 9:RadiusPort 11:RadiusServer2 \
	    12:RadiusPort2 15:RadiusTimeout 16:RadiusRetryInterval \
	    22:RadiusInterimInterval; do
		line referdAccounting 0 "referd${a#*:}" "$(v $RO.10.${a%%:*}.0)"
	done
	for a in 2:Name 5:100rel 6:SessionExpires 7:MinSE 8:HeaderPolicy \
	    9:TopologyHiding 10:Redirect 11:MaxRedirects; do
		line referdSgpTable 1 "referdSgp${a#*:}" "$(v $SGP.${a%%:*}.1)"
	done
	for a in 1:Support 2:FromHeader 3:DelayedAnswer 4:DelayedAnswerTimer \
	    5:ReleaseSession; do
		line referdReferTable 1 "referdRefer${a#*:}" "$(v $REFER.${a%%:*}.1)"
	done
	for i in 1 2; do
		for a in 2:Name 3:Address 4:Port 5:Transport 6:SgpIndex \
		    9:Replaces; do
			line referdGatewayTable $i "referdGw${a#*:}" \
			    "$(v $GW.${a%%:*}.$i)"
		done
	done
	line referdRouteTable 1 referdRoutePrefix "$(v $ROUTE.2.1)"
	line referdRouteTable 1 referdRouteGatewayIndex "$(v $ROUTE.3.1)"
} >"$H_TMP/digest-lines"
h_is "the digest is SHA-256 of the lines the MIB's DESCRIPTION describes" \
	"$(sha256sum <"$H_TMP/digest-lines" | cut -d ' ' -f 1)" "$(dget "$A1")"

echo "route 2 4420 1" >>"$H_TMP/r2.conf"
kill -HUP "$P2"
h_ok "SIGHUP with a route added to r2's file: r2 reads it" \
	h_wait_for 5 sh -c "snmpget -v2c -c public -Oqv -t 1 -r 0 $A2:$H_SNMP_PORT $ROUTE.2.2 | grep -q 4420"
h_not "... and its digest changed" test "$(dget "$A2")" = "$D1"
h_is "r1's did not" "$(dget "$A1")" "$D1"
h_done
