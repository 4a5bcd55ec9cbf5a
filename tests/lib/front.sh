# front.sh: two referd instances behind Kamailio with the shipped
# contrib/kamailio/referd-front.cfg, run as it is (sourced by the
# kamailio-front*.sh tests after h_init; issue 19).
#
#   127.0.SLOT.1   ref1: standalone referd (-M), RTP ports lo..lo+49
#   127.0.SLOT.11  ref2: standalone referd (-M), RTP ports lo+50..lo+99
#   127.0.SLOT.10  Kamailio: dispatcher set 1 = ref1, ref2 (name=ref1/2)
#   127.0.SLOT.2   A, the caller: calls the front
#   127.0.SLOT.3   B, the called party; .4 C, a transfer target: referd
#                  calls them directly (their gateways)
#   127.0.SLOT.5   D: INVITEs with Replaces through the front
#
# Each instance: profile 1 (B's and C's: Release REFER Session on),
# profile 2 (the front's gateway: REFER on, replaces enabled so that a
# Replaces relayed by the front may name any dialog), route 555 to B.
R1=$H_NET.1
R2=$H_NET.11
FRONT=$H_NET.10
A=$H_NET.2
B=$H_NET.3
C=$H_NET.4
D=$H_NET.5
SC=${REFERD_SRCDIR:-.}/tests/scenarios
FRONT_CFG=${REFERD_SRCDIR:-.}/contrib/kamailio/referd-front.cfg

# front_conf N ADDR: instance N's configuration file, $H_TMP/refN.conf.
front_conf() {
	local lo=$((20000 + H_SLOT * 100 + ($1 - 1) * 50))
	cat >"$H_TMP/ref$1.conf" <<EOF2
instanceName ref$1
rocommunity public $2
rtpPortRange $lo $((lo + 49))
profile 1 p
refer 1 support enabled releaseSession enabled
profile 2 front
refer 2 support enabled
signaling 1 $2 port 5060 profile 1
gateway 1 front $FRONT port 5060 profile 2 replaces enabled
gateway 2 b-side $B port 5060 profile 1
gateway 3 c-side $C port 5060 profile 1
route 1 555 2
EOF2
}

# front_start CHILDREN: both instances, then Kamailio with CHILDREN UDP
# workers; REF1_PID, REF2_PID, KAM_PID.
front_start() {
	h_need "${KAMAILIO:-kamailio}"
	front_conf 1 "$R1"
	front_conf 2 "$R2"
	h_referd_master ref1 "$R1" "$H_TMP/ref1.conf"
	REF1_PID=$H_PID
	h_referd_master ref2 "$R2" "$H_TMP/ref2.conf"
	REF2_PID=$H_PID
	cat >"$H_TMP/dispatcher.list" <<EOF2
1 sip:$R1:5060 0 0 name=ref1
1 sip:$R2:5060 0 0 name=ref2
EOF2
	h_kamailio front -f "$FRONT_CFG" -n "$1" -A "LISTEN=udp:$FRONT:5060" \
	    -A "DS_LIST=\"$H_TMP/dispatcher.list\"" -A PING_INTERVAL=1
	KAM_PID=$H_PID
}

# stat N OID: a value from instance N's agent.
stat() {
	if [ "$1" = 1 ]; then h_sget_at "$R1" "$2"; else h_sget_at "$R2" "$2"; fi
}

# both N COLUMN: a referdSgpStatsTable counter of instance N, profiles 1
# and 2 added.
both() {
	echo $(($(stat "$1" "$STATS.$2.1") + $(stat "$1" "$STATS.$2.2")))
}

# idle: no call left on either instance.
idle() {
	[ "$(stat 1 "$RO.1.3.0")" = 0 ] && [ "$(stat 2 "$RO.1.3.0")" = 0 ]
}

# sipp_count NAME WHAT: SIPp NAME's cumulated "Successful call" or
# "Failed call" count, from its screen file.
sipp_count() {
	sed -n "s/^ *$2 call *| *[0-9]* *| *\([0-9]*\).*/\1/p" \
	    "$H_TMP/$1.screen" | tail -n 1
}
