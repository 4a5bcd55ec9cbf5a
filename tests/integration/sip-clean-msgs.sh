#!/bin/sh
# sip-clean-msgs.sh: the messages referd sends are written cleanly (issue
# 16 item 9; RFC 3261 7.3, 20): header names in their RFC form
# (Max-Forwards, Referred-By, Call-ID, CSeq, Content-Length,
# Subscription-State, ...), one Allow line (its methods comma-separated),
# one Supported line, and Content-Length without padding.  Every message
# a SIPp peer receives from referd is read in its trace: a basic call, a
# blind transfer (REFER, NOTIFYs, the INVITE to the target with
# Referred-By, BYEs), an OPTIONS and referd's own refusals (404, 420).
#
# Peers: A on $H_NET.2, B on $H_NET.3, C on $H_NET.4 (SIPp's built-in uac
# and uas, tests/scenarios/uas-answer-bye.xml, uas-refer.xml,
# uac-options.xml, uac-reject.xml).
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 116 sip-clean-msgs
SC=${REFERD_SRCDIR:-.}/tests/scenarios
A=$H_NET.2
B=$H_NET.3
C=$H_NET.4
RTP_LO=$((20000 + H_SLOT * 100))
cat >"$H_TMP/referd.conf" <<EOF2
rtpPortRange $RTP_LO $((RTP_LO + 99))
profile 1 p
refer 1 support enabled
signaling 1 $H_ADDR port 5060 profile 1
gateway 1 a-side $A port 0
gateway 2 b-side $B port 5060
gateway 3 c-side $C port 5060
route 1 555 2
EOF2
h_referd_subagent "$H_TMP/referd.conf"
h_wait_for 5 listening "$H_ADDR" 5060 || h_bail "referd does not listen"

# run NAME ADDR ARGS...: a SIPp peer whose trace is $H_TMP/NAME.msg.
run() {
	local n=$1 addr=$2
	shift 2
	h_sipp "$n" "$addr" 5060 -trace_msg -message_file "$H_TMP/$n.msg" "$@"
}

# A basic call: B hangs up.
run call-b "$B" -sf "$SC/uas-answer-bye.xml" -d 500 -m 1
BPID=$H_PID
h_wait_for 5 listening "$B" 5060 || h_bail "SIPp B did not start"
run call-a "$A" -sn uac -s 5551000 -m 1 -d 5000 "$H_ADDR:5060"
APID=$H_PID
h_wait_exit "$BPID" 20
h_wait_exit "$APID" 20
h_ok "the basic call ended" h_wait_for 5 calls_idle

# A blind transfer: B refers A to C.
run xfer-c "$C" -sn uas -m 1
CPID=$H_PID
run xfer-b "$B" -sf "$SC/uas-refer.xml" -set target "sip:carol@$C:5060" -m 1
BPID=$H_PID
h_wait_for 5 listening "$B" 5060 || h_bail "SIPp B did not start"
run xfer-a "$A" -sn uac -s 5551000 -m 1 -d 3000 "$H_ADDR:5060"
APID=$H_PID
h_wait_exit "$BPID" 20
h_is "the transferor completes (202, NOTIFYs, BYE)" "$H_RC" 0
h_wait_exit "$APID" 20
h_is "A talks to C and hangs up" "$H_RC" 0
h_wait_exit "$CPID" 20
h_is "C gets A's BYE" "$H_RC" 0

# OPTIONS, and referd's own refusals: 404 (no route).
run opt "$A" -sf "$SC/uac-options.xml" -m 1 "$H_ADDR:5060"
h_wait_exit "$H_PID" 20
run rej "$A" -sf "$SC/uac-reject.xml" -s 4441000 -set expect_code 404 -m 1 "$H_ADDR:5060"
h_wait_exit "$H_PID" 20
h_is "a call to nowhere gets 404" "$H_RC" 0

# faults FILE...: one line per fault in the messages received (sent by
# referd): a header name not in its RFC form, more than one Allow or
# Supported line, a Content-Length that is not "Content-Length: N".
faults() {
	awk '
	    BEGIN {
	        n = split("Accept Accept-Encoding Accept-Language Alert-Info Allow " \
	            "Allow-Events Authentication-Info Authorization Call-ID Call-Info " \
	            "Contact Content-Disposition Content-Encoding Content-Language " \
	            "Content-Length Content-Type CSeq Date Error-Info Event Expires " \
	            "From In-Reply-To Max-Forwards Min-Expires MIME-Version " \
	            "Organization Priority Proxy-Authenticate Proxy-Authorization " \
	            "Proxy-Require Record-Route Refer-To Referred-By Reply-To " \
	            "Require Retry-After Route Server Subject Subscription-State " \
	            "Supported Timestamp To Unsupported User-Agent Via Warning " \
	            "WWW-Authenticate Refer-Sub Replaces Reason", c, " ")
	        for (i = 1; i <= n; i++) canon[tolower(c[i])] = c[i]
	    }
	    function done() {
	        if (start != "" && allow > 1) print FILENAME ": " start ": " allow " Allow lines"
	        if (start != "" && sup > 1) print FILENAME ": " start ": " sup " Supported lines"
	        if (start != "" && cl != 1) print FILENAME ": " start ": " cl " Content-Length lines"
	    }
	    /^-----+ [0-9-]+ [0-9:.]+$/ { done(); dir = start = ""; hdr = 0
	        allow = sup = cl = 0; next }
	    { sub(/\r$/, "") }
	    dir == "" && /message received/ { dir = "recv"; next }
	    dir == "" && /message sent/ { dir = "sent"; next }
	    dir != "recv" { next }
	    start == "" && NF { start = $0; hdr = 1; next }
	    hdr && $0 == "" { hdr = 0; next }
	    hdr && /^[^ \t]/ {
	        name = $0; sub(/[ \t]*:.*/, "", name)
	        if ((tolower(name) in canon) && canon[tolower(name)] != name)
	            print FILENAME ": " start ": header name " name
	        if (name == "Allow") allow++
	        if (name == "Supported") sup++
	        if (tolower(name) == "content-length") {
	            cl++
	            if ($0 !~ /^Content-Length: [0-9]+$/)
	                print FILENAME ": " start ": [" $0 "]"
	        }
	    }
	    END { done() }' "$@" | sed "s|$H_TMP/||"
}

got=$(ls "$H_TMP"/*.msg | wc -l)
h_is "seven traces read" "$got" 7
h_is "every peer received messages from referd" \
    "$(for f in "$H_TMP"/*.msg; do grep -c 'message received' "$f"; done | grep -c '^0$')" 0
h_ok "the INVITE to C carries Referred-By" grep -q '^Referred-By: ' "$H_TMP/xfer-c.msg"
h_ok "B's INVITE carries one Allow line" grep -q '^Allow: INVITE, ACK, CANCEL, BYE, OPTIONS' "$H_TMP/call-b.msg"
h_is "no header written otherwise than RFC 3261 writes it, one Allow, one Supported, Content-Length unpadded" \
    "$(faults "$H_TMP"/*.msg | sort -u | head -n 20)" ""
h_done
