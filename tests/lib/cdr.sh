# cdr.sh: reading call detail record files (referd-cdr(5)) and SIPp
# message traces, for the cdr-* tests.  Sourced after harness.sh.

# SIPp writes its trace times in local time: UTC, like referd's records.
TZ=UTC
export TZ

# cdr_rows DIR: every record line of the CSV files in DIR (closed ones,
# then the open one), each field on a line of its own as NAME=VALUE and
# a line "--" after each record.  Quoted fields ("", embedded commas) are
# read as RFC 4180 says.  Only whole lines are read: the file being
# written may be caught in the middle of referd's write(2) (a reader
# sees part of it), and such a last line is not a record yet.  referd
# renames the open file when it rotates it (by time, every few seconds
# in the tests): the open file is listed before the closed ones, so a
# rename between the two listings shows it twice, never not at all, and
# a listed file that can no longer be opened means a rename in the
# middle: the whole reading starts again.
cdr_rows() {
	perl -e '
	for my $try (1 .. 50) {
		my @open = glob("$ARGV[0]/referd-cdr-*.csv.part");
		my @closed = glob("$ARGV[0]/referd-cdr-*.csv");
		my ($out, $lost) = ("", 0);
		for my $f (@closed, @open) {
			my $h;
			if (!open($h, "<", $f)) { $lost = 1; last }
			while (<$h>) { $out .= $_ if /\n\z/ }
			close($h);
		}
		if (!$lost) { print $out; exit 0 }
	}
	die "cdr_rows: the files keep moving\n"' "$1" | awk '
	function parse(line, out,    n, i, c, f, q) {
		n = 0; f = ""; q = 0
		for (i = 1; i <= length(line); i++) {
			c = substr(line, i, 1)
			if (q) {
				if (c == "\"") {
					if (substr(line, i + 1, 1) == "\"") {
						f = f "\""; i++
					} else
						q = 0
				} else
					f = f c
			} else if (c == "\"")
				q = 1
			else if (c == ",") {
				out[++n] = f; f = ""
			} else
				f = f c
		}
		out[++n] = f
		return n
	}
	/^session_id,/ { nh = parse($0, h); next }
	{
		n = parse($0, v)
		for (i = 1; i <= nh; i++)
			print h[i] "=" v[i]
		if (n != nh)
			print "BAD-FIELD-COUNT=" n
		print "--"
	}'
}

# cdr_field DIR KEY VALUE FIELD: FIELD of the record whose KEY is VALUE.
cdr_field() {
	cdr_rows "$1" | awk -v k="$2=$3" -v f="$4=" '
	$0 == "--" { if (hit) { print val; exit } hit = 0; val = ""; next }
	$0 == k { hit = 1 }
	index($0, f) == 1 { val = substr($0, length(f) + 1) }'
}

# cdr_count DIR: the records in DIR's CSV files.
cdr_count() {
	cdr_rows "$1" | grep -c '^--$'
}

# msg_time FILE REGEX [N]: the time (epoch seconds) of the Nth (default
# 1st) message of SIPp trace FILE whose first line matches REGEX.
msg_time() {
	local ts
	ts=$(awk -v re="$2" -v want="${3:-1}" '
	/^-------------------------------------/ { ts = $2 " " $3; first = 0; next }
	/message (sent|received)/ { first = 1; next }
	first && /^$/ { next }
	first { if ($0 ~ re && ++n == want) { print ts; exit } first = 0 }' "$1")
	[ -n "$ts" ] && date -u -d "$ts" +%s.%N
}

# msg_hdr FILE REGEX HEADER: HEADER's value in the first message of SIPp
# trace FILE whose first line matches REGEX.
msg_hdr() {
	awk -v s="$2" -v h="$3" '
	/^-------------------------------------/ { m = 0; first = 0; next }
	/message (sent|received)/ { first = 1; next }
	first && /^$/ { next }
	first { if (!done && $0 ~ s) m = 1; first = 0 }
	m && tolower($0) ~ "^" tolower(h) ":" {
	    sub(/^[^:]*: */, ""); sub(/\r$/, ""); print; done = 1; m = 0 }
	done { exit }' "$1"
}

# iso_s TIME: a record's ISO 8601 time as epoch seconds ("" stays "").
iso_s() {
	[ -n "$1" ] && date -u -d "$1" +%s.%N
}

# near A B TOL: true when times A and B (epoch seconds) differ by at most
# TOL seconds (both must be given).
near() {
	[ -n "$1" ] && [ -n "$2" ] &&
	    awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN {
	    d = a - b; if (d < 0) d = -d; exit !(d <= t) }'
}

# h_near DESC A B TOL: a result for near(), with the values when it fails.
h_near() {
	if near "$2" "$3" "$4"; then h_result 0 "$1"; else
		h_result 1 "$1"
		echo "#   record '$2', wire '$3' (tolerance $4 s)"
	fi
}

# cdr_call NAME A-ADDR B-ADDR NUMBER MS: one basic call, SIPp's own uac
# on A-ADDR to NUMBER through referd and uas on B-ADDR, A hanging up after
# MS ms; a result for its success, A's Call-ID in CID.
cdr_call() {
	local bpid
	h_sipp "$1-b" "$3" 5060 -sn uas -m 1
	bpid=$H_PID
	h_sipp "$1-a" "$2" 5060 -sn uac -s "$4" -d "$5" -m 1 \
	    -trace_msg -message_file "$H_TMP/$1-a.msg" "$H_ADDR:5060"
	h_wait_exit "$H_PID" 20
	h_is "$1: the call succeeds" "$H_RC" 0
	h_wait_exit "$bpid" 10
	CID=$(msg_hdr "$H_TMP/$1-a.msg" '^INVITE ' Call-ID)
}

# cdr_has DIR CALL-ID: true once DIR's files hold that call's record.
cdr_has() {
	[ -n "$(cdr_field "$1" caller_call_id "$2" session_id)" ]
}
