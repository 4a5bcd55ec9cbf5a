# radius.sh: a real FreeRADIUS server for the accounting tests, on the
# test's loopback address, with its own configuration directory in the
# test's temp dir (nothing of /etc/freeradius is read), writing every
# accounting request it accepts to a detail file.  Sourced after
# harness.sh.

# radius_conf DIR ADDR PORT SECRET: a FreeRADIUS configuration directory
# DIR (radiusd.conf and a dictionary with referd's): accounting only on
# ADDR:PORT, clients on loopback with SECRET, every request accepted into
# DIR/detail.  Also used by bench/run.sh.
radius_conf() {
	local d=$1 addr=$2 port=$3 secret=$4
	mkdir -p "$d/run" "$d/log"
	cat >"$d/radiusd.conf" <<EOF2
prefix = /usr
localstatedir = $d
logdir = $d/log
raddbdir = $d
run_dir = $d/run
libdir = /usr/lib/freeradius
dictdir = /usr/share/freeradius
pidfile = $d/run/radiusd.pid
max_request_time = 30
cleanup_delay = 5
max_requests = 16384
hostname_lookups = no
log {
	destination = files
	file = $d/radius.log
}
security {
	allow_core_dumps = no
}
thread pool {
	start_servers = 1
	max_servers = 4
	min_spare_servers = 1
	max_spare_servers = 2
}
# referd's requests leave from the address the kernel picks for
# ADDR (on loopback: 127.0.0.1, or ADDR itself).
client referd {
	ipaddr = 127.0.0.0/8
	secret = $secret
}
modules {
	detail {
		filename = $d/detail
		header = "%t"
		permissions = 0600
		escape_filenames = no
	}
}
server default {
	listen {
		type = acct
		ipaddr = $addr
		port = $port
	}
	accounting {
		detail
	}
}
EOF2
	cat >"$d/dictionary" <<EOF2
\$INCLUDE ${REFERD_SRCDIR:-.}/cdr/dictionary.referd
EOF2
}

# h_radius_start PORT SECRET: FreeRADIUS on $H_ADDR:PORT (accounting only),
# its detail file $H_TMP/radius/detail, its log $H_TMP/radius/radius.log.
# The pid is in H_RADIUS_PID; it is stopped by pid like every process.
h_radius_start() {
	local port=$1 secret=$2 d=$H_TMP/radius
	h_need "${FREERADIUS:-freeradius}"
	radius_conf "$d" "$H_ADDR" "$port" "$secret"
	: >"$d/radius.log"
	h_spawn radius "${FREERADIUS:-freeradius}" -f -d "$d" -n radiusd \
	    -l "$d/radius.log"
	H_RADIUS_PID=$H_PID
	h_wait_for 10 grep -q 'Ready to process requests' "$d/radius.log" ||
		h_bail "FreeRADIUS did not start: $(tail -n 5 "$d/radius.log")"
}

# radius_requests: one line per accounting request in the detail file:
# "SESSION STATUS INDEX" (INDEX: Referd-Transfer-Index, or -).
radius_requests() {
	awk '
	/^[A-Z][a-z][a-z] / { if (s != "") print s, st, (ix == "" ? "-" : ix)
	    s = ""; st = ""; ix = ""; next }
	/Acct-Session-Id = / { s = $3; gsub(/"/, "", s) }
	/Acct-Status-Type = / { st = $3 }
	/Referd-Transfer-Index = / { ix = $3 }
	END { if (s != "") print s, st, (ix == "" ? "-" : ix) }' \
	    "$H_TMP/radius/detail" 2>/dev/null
}

# radius_attr SESSION STATUS ATTRIBUTE: the value of ATTRIBUTE (quotes
# removed) in the first request of SESSION with Acct-Status-Type STATUS.
radius_attr() {
	awk -v s="\"$1\"" -v st="$2" -v a="$3" '
	/^[A-Z][a-z][a-z] / { n++; next }
	$1 == "Acct-Session-Id" && $3 == s { hit[n]++ }
	$1 == "Acct-Status-Type" && $3 == st { hit[n]++ }
	$1 == a { v = $0; sub(/^[^=]*= /, "", v); gsub(/"/, "", v); val[n] = v }
	END { for (i = 1; i <= n; i++) if (hit[i] == 2) { print val[i]; exit } }' \
	    "$H_TMP/radius/detail" 2>/dev/null
}
