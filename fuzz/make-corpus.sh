#!/bin/sh
# make-corpus.sh SRCDIR OUTDIR: the seed corpora of the fuzz targets,
# written to OUTDIR/<target>/ (sip_receive, headers, sdp, conffile).
#
# sip_receive: whole conversations assembled from the messages of the
# SIPp scenarios in tests/scenarios (the caller A's, the called B's, the
# transfer target C's), in the fuzz harness's input format (see
# fuzz/fuzz_sip_receive.c): "%%<peer>" lines between messages.  SIPp's
# static keywords ([local_ip], [service], [$target], ...) are replaced by
# the harness's addresses here; the ones that depend on what referd sent
# ([last_Via:], [peer_tag_param], [next_url], [call_id], [$local],
# [$remote], [branch], [len]) are left for the harness to replace at run
# time, the way SIPp does.
# headers: Refer-To, Referred-By and Replaces values from the scenarios
# and the integration tests.  sdp: the SDP bodies of the scenarios.
# conffile: agent/referd.conf.example, and one line per token.
set -eu

SRC=${1:?usage: make-corpus.sh SRCDIR OUTDIR}
OUT=${2:?usage: make-corpus.sh SRCDIR OUTDIR}
SC=$SRC/tests/scenarios
CR=$(printf '\r')

mkdir -p "$OUT/sip_receive" "$OUT/headers" "$OUT/sdp" "$OUT/conffile"

# The harness's peers (fuzz_sip_receive.c) and referd's address there.
peer_ip() {
	case $1 in
	a|A) echo 192.0.2.10 ;; b|B) echo 192.0.2.20 ;; c|C) echo 192.0.2.30 ;;
	d|D) echo 192.0.2.40 ;; e|E) echo 2001:db8::50 ;; g|G) echo 192.0.2.70 ;;
	*) echo 198.51.100.7 ;;
	esac
}
REFERD=127.0.250.1
TARGET=sip:7000@192.0.2.30:5060

# extract FILE N: the Nth <send> of a scenario, as SIPp sends it (lines
# unindented, CRLF, a blank line after the headers).
extract() {
	awk -v want="$2" '
	/<send/ { n++; insend = (n == want) }
	insend && /<!\[CDATA\[/ { cdata = 1; next }
	insend && cdata && /\]\]>/ { cdata = 0; insend = 0; next }
	cdata { sub(/^[ \t]+/, ""); sub(/[ \t\r]+$/, ""); line[++k] = $0 }
	END {
		first = 1; while (first <= k && line[first] == "") first++
		last = k; while (last >= first && line[last] == "") last--
		body = 0
		for (i = first; i <= last; i++) {
			if (line[i] == "") body = 1
			printf "%s\r\n", line[i]
		}
		if (!body) printf "\r\n"
	}' "$1"
}

# msg PEER FILE N [SERVICE]: one chunk of a conversation.
msg() {
	ip=$(peer_ip "$1")
	lip=$ip ty=4 tr=UDP
	case $ip in *:*) lip="[$ip]" ty=6 ;; esac
	case $1 in [A-Z]) tr=TCP ;; esac
	printf '%%%%%s\n' "$1"
	extract "$SC/$2" "$3" | sed \
	    -e "s/\[local_ip\]/$lip/g" -e "s/\[media_ip\]/$ip/g" \
	    -e "s/\[local_port\]/5060/g" -e "s/\[media_port\]/6000/g" \
	    -e "s/\[remote_ip\]/$REFERD/g" -e "s/\[remote_port\]/5060/g" \
	    -e "s/\[transport\]/$tr/g" -e "s/\[local_ip_type\]/$ty/g" \
	    -e "s/\[media_ip_type\]/$ty/g" -e "s/\[service\]/${4:-2000}/g" \
	    -e "s/\[pid\]/4242/g" -e "s/\[call_number\]/1/g" \
	    -e "s/\[cseq\]/1/g" -e "s/\[clock_tick\]/1000/g" \
	    -e "s/\[sipp_version\]/3.6/g" -e "s|\[\$target\]|$TARGET|g" \
	    -e "s/\[\$code\]/486/g"
}

# conv NAME CHUNK...: a conversation; each CHUNK is PEER:FILE:N[:SERVICE],
# or t (the timers fire) or f (sends start or stop failing).
conv() {
	name=$1
	shift
	for c in "$@"; do
		case $c in *:*:*)
			f=${c#*:} f=${f%%:*}
			if [ ! -f "$SC/$f" ]; then
				echo "make-corpus.sh: $name: no $f: skipped" >&2
				return 0
			fi ;;
		esac
	done
	{
		for c in "$@"; do
			case $c in
			t|f) printf '%%%%%s\n' "$c" ;;
			*)
				p=${c%%:*} r=${c#*:}
				f=${r%%:*} r=${r#*:}
				n=${r%%:*} s=
				case $r in *:*) s=${r#*:} ;; esac
				msg "$p" "$f" "$n" "$s" ;;
			esac
		done
	} > "$OUT/sip_receive/$name"
}

A=uac-call.xml
conv call-a-bye a:$A:1 b:uas-answer.xml:1 b:uas-answer.xml:2 a:$A:2 a:$A:3 \
    b:uas-answer.xml:3
conv call-b-bye a:uac-call-wait-bye.xml:1 b:uas-answer-bye.xml:1 \
    b:uas-answer-bye.xml:2 a:uac-call-wait-bye.xml:2 b:uas-answer-bye.xml:3 \
    a:uac-call-wait-bye.xml:3
conv call-tcp A:$A:1 b:uas-answer.xml:1 b:uas-answer.xml:2 A:$A:2 A:$A:3 \
    b:uas-answer.xml:3
conv cancel a:uac-cancel.xml:1 b:uas-ring-until-cancel.xml:1 \
    b:uas-ring-until-cancel.xml:2 a:uac-cancel.xml:2 \
    b:uas-ring-until-cancel.xml:3 b:uas-ring-until-cancel.xml:4 \
    a:uac-cancel.xml:3
conv cancel-early a:uac-cancel.xml:1 a:uac-cancel.xml:2 \
    b:uas-ring-until-cancel.xml:2 b:uas-ring-until-cancel.xml:3 \
    b:uas-ring-until-cancel.xml:4 a:uac-cancel.xml:3
conv reject a:uac-reject.xml:1 b:uas-busy.xml:1 a:uac-reject.xml:2
conv ring-reject a:uac-reject.xml:1 b:uas-ring-reject.xml:1 \
    b:uas-ring-reject.xml:2 a:uac-reject.xml:2
conv reinvite a:uac-reinvite.xml:1 b:uas-answer.xml:1 b:uas-answer.xml:2 \
    a:uac-reinvite.xml:2 a:uac-reinvite.xml:3 a:uac-reinvite.xml:4 \
    a:uac-reinvite.xml:5 a:uac-reinvite.xml:6 a:uac-reinvite.xml:7 \
    b:uas-answer.xml:3
conv options a:uac-options.xml:1 u:uac-options.xml:1
conv refer-outside a:uac-refer-outside.xml:1
conv untrusted u:$A:1 u:$A:3
conv no-route a:$A:1:555 a:$A:2:555
conv large-invite a:uac-large-invite.xml:1 b:uas-answer.xml:1 \
    b:uas-answer.xml:2 a:uac-large-invite.xml:2 a:uac-large-invite.xml:3
conv late-ack a:uac-late-ack.xml:1 b:uas-answer.xml:2 t a:$A:1 t \
    a:uac-late-ack.xml:2 a:uac-late-ack.xml:3
conv timer-c a:$A:1 b:uas-ring-until-cancel.xml:2 t b:uas-answer.xml:2
conv send-fails a:$A:1 f b:uas-answer.xml:1 b:uas-answer.xml:2 f a:$A:2 \
    a:$A:3
# Sends fail from the start: the INVITE to B fails at once (Timer C must
# not be left armed on a released call), over TCP from A.
conv send-fails-at-once f A:$A:1 t f t
# Five calls at once (maxCalls is 4), each with its own Call-ID.
for i in 1 2 3 4 5; do
	msg a $A 1 | sed "s/\[call_id\]/limit$i@192.0.2.10/"
done > "$OUT/sip_receive/limit"
conv ipv6 a:$A:1:6000 e:uas-answer.xml:1 e:uas-answer.xml:2 a:$A:2 a:$A:3 \
    e:uas-answer.xml:3
conv refer-by-a a:uac-refer.xml:1 b:uas-answer.xml:1 b:uas-answer.xml:2 \
    a:uac-refer.xml:2 a:uac-refer.xml:3 a:uac-refer.xml:4 \
    c:uas-answer.xml:1 a:uac-refer.xml:4 c:uas-answer.xml:2 \
    a:uac-refer.xml:4 a:uac-refer.xml:5 b:uas-answer.xml:3 \
    c:uas-answer.xml:3
conv refer-by-b a:uac-call-wait-bye.xml:1 b:uas-refer.xml:1 \
    a:uac-call-wait-bye.xml:2 b:uas-refer.xml:2 b:uas-refer.xml:3 \
    c:uas-answer.xml:1 b:uas-refer.xml:4 c:uas-answer.xml:2 \
    b:uas-refer.xml:4 b:uas-refer.xml:5 a:uac-call-wait-bye.xml:3 \
    c:uas-answer.xml:3
conv refer-target-busy a:uac-call-wait-bye.xml:1 b:uas-refer.xml:1 \
    a:uac-call-wait-bye.xml:2 b:uas-refer.xml:2 b:uas-refer.xml:3 \
    c:uas-busy.xml:1 b:uas-refer.xml:4 b:uas-refer.xml:5 \
    a:uac-call-wait-bye.xml:3
conv refer-timeout a:uac-call-wait-bye.xml:1 b:uas-refer.xml:1 \
    a:uac-call-wait-bye.xml:2 b:uas-refer.xml:2 b:uas-refer.xml:3 \
    c:uas-answer.xml:1 t b:uas-refer.xml:4 a:uac-call-wait-bye.xml:3
conv refer-twice a:uac-call-wait-bye.xml:1 b:uas-refer-again.xml:1 \
    a:uac-call-wait-bye.xml:2 b:uas-refer-again.xml:2 \
    b:uas-refer-again.xml:3 b:uas-refer-again.xml:4 c:uas-answer.xml:2 \
    b:uas-refer-again.xml:5 b:uas-refer-again.xml:6 b:uas-refer-again.xml:7
conv refer-481 a:uac-call-wait-bye.xml:1 b:uas-refer-481.xml:1 \
    a:uac-call-wait-bye.xml:2 b:uas-refer-481.xml:2 b:uas-refer-481.xml:3 \
    c:uas-answer.xml:2 b:uas-refer-481.xml:4
conv refer-released a:uac-call-wait-bye.xml:1:9000 d:uas-refer-released.xml:1 \
    a:uac-call-wait-bye.xml:2 d:uas-refer-released.xml:2 \
    d:uas-refer-released.xml:3 c:uas-answer.xml:2 \
    d:uas-refer-released.xml:4 d:uas-refer-released.xml:5
conv refer-refused a:$A:1:7000 c:uas-refer-refused.xml:1 a:$A:2 \
    c:uas-refer-refused.xml:2 c:uas-refer-refused.xml:3
# d's gateway may replace any dialog (referdGwReplaces enabled).
conv replaces a:uac-call-wait-bye.xml:1 b:uas-answer.xml:1 \
    b:uas-answer.xml:2 a:uac-call-wait-bye.xml:2 d:uac-replaces.xml:1 \
    d:uac-replaces.xml:2 a:uac-call-wait-bye.xml:3 d:uac-replaces.xml:3 \
    b:uas-answer.xml:3
conv replaces-disabled a:uac-call-wait-bye.xml:1 b:uas-answer.xml:2 \
    a:uac-call-wait-bye.xml:2 c:uac-replaces.xml:1
conv delayed a:uac-delayed.xml:1:9000 D:uas-answer.xml:1 D:uas-answer.xml:2 \
    t a:uac-delayed.xml:2 a:uac-delayed.xml:3 D:uas-answer.xml:3
conv delayed-cancel a:uac-delayed-cancel.xml:1:9000 D:uas-answer.xml:2 \
    a:uac-delayed-cancel.xml:2 a:uac-delayed-cancel.xml:3 \
    D:uas-answer.xml:3
conv delayed-refer a:uac-call-wait-bye.xml:1:9000 D:uas-refer.xml:1 \
    D:uas-refer.xml:2 D:uas-refer.xml:3 c:uas-answer.xml:2 \
    D:uas-refer.xml:4 a:uac-call-wait-bye.xml:2 D:uas-refer.xml:5
# The Replaces and Refer-To refusals of the integration tests, by hand.
{
	msg a uac-call-wait-bye.xml 1
	msg b uas-answer.xml 2
	msg a uac-call-wait-bye.xml 2
	msg e uac-replaces.xml 1 | sed 's/^Replaces: .*/Replaces: [$replaces];early-only\r/'
	msg e uac-replaces.xml 1 | sed 's/^Replaces: .*/Replaces: nosuch@x;to-tag=a;from-tag=b\r/'
	msg e uac-replaces.xml 1 | sed 's/^Replaces: .*/Replaces: [$replaces_b]\r\nReplaces: [$replaces]\r/'
} > "$OUT/sip_receive/replaces-refused"
{
	msg a uac-call-wait-bye.xml 1
	msg b uas-refer.xml 1
	msg a uac-call-wait-bye.xml 2
	msg b uas-refer.xml 2 | sed 's|^Refer-To: .*|Refer-To: <tel:+15551234>\r|'
	msg b uas-refer.xml 2 | sed 's|^Refer-To: .*|Refer-To: <sip:carol@192.0.2.30:5060;method=BYE>\r|'
	msg b uas-refer.xml 2 | sed 's|^Refer-To: .*|Refer-To: <sip:nobody@192.0.2.99:5060>\r|'
	msg b uas-refer.xml 2 | sed 's|^Refer-To: .*|Refer-To: <sip:carol@192.0.2.30>\r\nRefer-To: <sip:dave@192.0.2.30>\r|'
	msg b uas-refer.xml 2 | sed 's|^Refer-To: .*|Refer-To: <sip:7000@192.0.2.30:5060?Replaces=dlg42%40192.0.2.30%3Bto-tag%3Dctag%3Bfrom-tag%3Dbtag>\r\nRefer-Sub: false\r|'
} > "$OUT/sip_receive/refer-refused-many"
# Values from one message into another (issue 15): a Refer-To whose
# ?Replaces= carries an escaped CR LF and a header, a sips: Refer-To, a
# Referred-By holding a NUL, a Referred-By user with an escaped CR LF.
{
	msg a uac-call-wait-bye.xml 1
	msg b uas-refer.xml 1
	msg a uac-call-wait-bye.xml 2
	msg b uas-refer.xml 2 | sed 's|^Refer-To: .*|Refer-To: <sip:7000@192.0.2.30:5060?Replaces=x%40y%3Bto-tag%3Da%3Bfrom-tag%3Db%0D%0AX-Injected%3A%201>\r|'
	msg b uas-refer.xml 2 | sed 's|^Refer-To: .*|Refer-To: <sips:7000@192.0.2.30:5060>\r|'
	msg b uas-refer.xml 2 | sed 's|^Referred-By: .*|Referred-By: <sip:b@192.0.2.20>;x="a\x00b"\r|'
	msg b uas-refer.xml 2 | sed -e 's|^Refer-To: .*|Refer-To: <sip:5000@127.0.250.1>\r|' \
	    -e 's|^Referred-By: .*|Referred-By: <sip:evil%0D%0AX-Injected:%201@192.0.2.20>\r|'
} > "$OUT/sip_receive/refer-values"

# Who may replace a dialog (sip/replaces.c, replaces_entitled): e (a
# gateway in no dialog of the call), b (the other party: not in A's
# dialog) and u (no gateway) are refused 403; d (referdGwReplaces
# enabled) replaces A's dialog.
conv replaces-not-entitled a:uac-call-wait-bye.xml:1 b:uas-answer.xml:1 \
    b:uas-answer.xml:2 a:uac-call-wait-bye.xml:2 e:uac-replaces.xml:1 \
    e:uac-replaces.xml:2 b:uac-replaces.xml:1 u:uac-replaces.xml:1 \
    d:uac-replaces.xml:1 d:uac-replaces.xml:2 a:uac-call-wait-bye.xml:3 \
    d:uac-replaces.xml:3 b:uas-answer.xml:3
# The target of a transfer referd started in the call (g, by route 5)
# replacing A's dialog: entitled, and 486 (the call's third slot is
# taken); e (not the target) is refused 403.
{
	msg a uac-call-wait-bye.xml 1
	msg b uas-refer.xml 1
	msg a uac-call-wait-bye.xml 2
	msg b uas-refer.xml 2 | sed "s|^Refer-To: .*|Refer-To: <sip:5000@$REFERD:5060>\r|"
	msg b uas-refer.xml 3
	msg g uas-answer.xml 1
	msg g uas-answer.xml 2
	msg g uac-replaces.xml 1 | sed 's/^Call-ID: .*/Call-ID: target-replaces@x\r/'
	msg e uac-replaces.xml 1 | sed 's/^Call-ID: .*/Call-ID: other-replaces@x\r/'
	msg b uas-refer.xml 4
	msg b uas-refer.xml 5
	msg a uac-call-wait-bye.xml 3
} > "$OUT/sip_receive/replaces-transfer-target"
# Who may act on a dialog (sip/dispatch.c, check_peer): requests forged
# in A's dialog from u (no gateway) and e (a gateway not in the call),
# with A's Call-ID, tags and Via taken from what referd sent A ([a:...]).
forged() {
	printf '%%%%%s\n%s [a:next_url] SIP/2.0\r\nVia: SIP/2.0/UDP %s:5060;branch=[branch]\r\n' \
	    "$1" "$2" "$(peer_ip "$1" | sed 's/.*:.*/[&]/')"
	if [ "$2" = CANCEL ]; then
		printf '[a:last_Via:]\r\n'
	fi
	printf '[a:last_From:]\r\n[a:last_To:]\r\nCall-ID: [a:call_id]\r\nCSeq: %s %s\r\nMax-Forwards: 70\r\n%bContent-Length: 0\r\n\r\n' \
	    "$3" "$2" "$4"
}
{
	msg a uac-call-wait-bye.xml 1
	msg b uas-answer.xml 1
	msg b uas-answer.xml 2
	msg a uac-call-wait-bye.xml 2
	forged u BYE 20 ''
	forged e REFER 21 "Refer-To: <sip:6000@$REFERD>\r\n"
	forged u INVITE 22 ''
	forged u INFO 23 ''
	forged e BYE 24 ''
	forged U OPTIONS 25 ''
	forged u ACK 1 ''
	forged u CANCEL 1 ''
	msg a uac-call.xml 3
	msg b uas-answer.xml 3
} > "$OUT/sip_receive/dialog-peer"
# A's INVITE came through a proxy at g's address (Record-Route): g is on
# A's route set, so its requests in A's dialog are heard; e's are not.
{
	msg a uac-rr.xml 1 | sed 's|^Record-Route: <sip:p\([12]\)@[^>]*>|Record-Route: <sip:p\1@192.0.2.70:5060;lr>|'
	msg b uas-answer.xml 1
	msg b uas-answer.xml 2
	msg a uac-rr.xml 2
	forged e INFO 20 ''
	forged g INFO 21 ''
	forged g BYE 22 ''
	msg b uas-answer.xml 3
} > "$OUT/sip_receive/dialog-peer-route-set"
# RTP (sip/media.c, from_party and type_allowed): A's SDP names
# 127.0.250.10:7000 (the harness's source 0), B's 127.0.250.11:7000
# (source 1).  Packets from the signalled address, a stranger (9), a
# payload type the other side did not negotiate (18), RTCP from the
# signalled port and a stranger; a stranger latching B's stream before B
# sends, B's own packets taking it back, the stranger dropped after.
rtp() {   # rtp SEL PEER SOURCE PT
	printf '%%%%%s%s%s\n' "$1" "$2" "$3"
	printf "\\200\\$(printf '%03o' "$4")\\000\\001\\000\\000\\000\\240\\000\\000\\000\\007payload\\n"
}
{
	msg a uac-call-wait-bye.xml 1 |
	    sed -e 's/^c=IN IP4 .*/c=IN IP4 127.0.250.10\r/' \
	    -e 's/^m=audio [0-9]*/m=audio 7000/'
	msg b uas-answer.xml 1
	msg b uas-answer.xml 2 |
	    sed -e 's/^c=IN IP4 .*/c=IN IP4 127.0.250.11\r/' \
	    -e 's/^m=audio [0-9]*/m=audio 7000/'
	msg a uac-call-wait-bye.xml 2
	rtp r a 0 0
	rtp r a 9 0
	rtp r a 0 18
	rtp R a 0 200
	rtp R a 9 200
	rtp r b 5 0
	rtp r b 1 0
	rtp r b 5 0
	rtp r b 1 0
	printf '%%%%f\n'
	rtp r a 0 0
	printf '%%%%f\n'
	msg a uac-call.xml 3
	msg b uas-answer.xml 3
} > "$OUT/sip_receive/rtp-latch"

# ---- headers -------------------------------------------------------------
h() { printf '%s' "$2" > "$OUT/headers/$1"; }
h refer-to "<$TARGET>"
h refer-to-name '"Carol" <sip:carol@192.0.2.30:5060;transport=udp>;x=y'
h refer-to-method '<sip:carol@192.0.2.30:5060;method=BYE>'
h refer-to-tel '<tel:+15551234>'
h refer-to-replaces '<sip:7000@192.0.2.30:5060?Replaces=dlg42%40192.0.2.30%3Bto-tag%3Dctag%3Bfrom-tag%3Dbtag&Require=replaces>'
h referred-by '<sip:transferor@192.0.2.20>'
h referred-by-name '"Bob" <sip:+4420123@192.0.2.20;user=phone>;cid="<1@x>"'
h replaces 'dlg42@192.0.2.30;to-tag=ctag;from-tag=btag'
h replaces-early ' 4242@192.0.2.10 ;from-tag=4242A1; to-tag=fuzz1a;early-only'
h replaces-bare 'abc;to-tag;from-tag='
h from-uri 'sip:1000@192.0.2.10:5060'
for f in "$SC"/*.xml; do
	grep -h 'Refer-To:\|Referred-By:\|Replaces:' "$f" 2>/dev/null |
	    sed -e 's/^[ \t]*[A-Za-z-]*: *//' -e "s|\[\$target\]|$TARGET|g" \
	    -e 's/\[local_ip\]/192.0.2.20/g' |
	    while IFS= read -r v; do
		k=$(printf '%s' "$v" | cksum | cut -d' ' -f1)
		printf '%s' "$v" > "$OUT/headers/scen-$k"
	    done
done

# ---- sdp: first byte = family/direction selector, then the body ------------
for f in "$SC"/*.xml; do
	n=$(grep -c '<send' "$f" || true)
	i=1
	while [ "$i" -le "$n" ]; do
		extract "$f" "$i" | awk 'b { print } /^\r?$/ { b = 1 }' |
		    sed -e 's/\[media_ip\]/192.0.2.10/g' \
		    -e 's/\[media_port\]/6000/g' -e 's/\[[a-z_]*type\]/4/g' \
		    > "$OUT/sdp/.body"
		if [ -s "$OUT/sdp/.body" ]; then
			k=$(cksum < "$OUT/sdp/.body" | cut -d' ' -f1)
			{ printf '\040'; cat "$OUT/sdp/.body"; } > "$OUT/sdp/scen-$k"
			{ printf '\245'; cat "$OUT/sdp/.body"; } > "$OUT/sdp/scen6-$k"
		fi
		i=$((i + 1))
	done
done
rm -f "$OUT/sdp/.body"
printf '\022v=0\r\no=- 1 1 IN IP6 2001:db8::9\r\ns=-\r\nc=IN IP6 2001:db8::9\r\nt=0 0\r\nm=video 7000 RTP/AVP 96\r\nm=audio 7002 RTP/AVP 0 8\r\nc=IN IP4 192.0.2.7/127\r\na=recvonly\r\nm=audio 7004 RTP/AVP 0\r\n' \
    > "$OUT/sdp/multi-media"
printf '\061v=0\no=x 1 1 IN IP4 192.0.2.8\ns=-\nt=0 0\nm=audio 9 RTP/AVP 0\na=inactive\n' \
    > "$OUT/sdp/lf-no-c"

# ---- conffile ----------------------------------------------------------------
cp "$SRC/agent/referd.conf.example" "$OUT/conffile/example"
i=0
while IFS= read -r line; do
	i=$((i + 1))
	printf '%s\n' "$line" > "$OUT/conffile/line-$i"
done <<'EOF'
maxCalls 250
notifyRateLimit 20
rtpPortRange 30000 30999
inviteTimeout 32
profile 2 ivr readOnly
refer 1 support enabled fromHeader originalCaller delayedAnswer enabled delayedAnswerTimer 5 releaseSession enabled
signaling 1 127.0.0.1 port 5070 transport tcp profile 1
signaling 2 ::1
gateway 7 carrier-a 127.0.0.2 port 0 profile 2
gateway 8 carrier-b 127.0.0.3 transport tcp readOnly
route 1 +4420 7
route 2 default 8
EOF
printf 'profile 1 pbx\nrefer 1 support enabled delayedAnswer enabled delayedAnswerTimer 10\nsignaling 1 ::1 port 5060 transport tcp profile 1\ngateway 1 a 192.0.2.1 port 0\nroute 1 default 1\n[snmp] ignored\n' \
    > "$OUT/conffile/sections"
# A CR in the example's line ends, as a Windows editor leaves them.
sed "s/\$/$CR/" "$SRC/agent/referd.conf.example" > "$OUT/conffile/crlf"
