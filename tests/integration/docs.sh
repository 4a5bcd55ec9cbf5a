#!/bin/sh
# docs.sh: the man pages are clean under mandoc's linter and document
# every option and token the code accepts.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 6 docs
h_need mandoc
man=$REFERD_SRCDIR/man

for page in referd.8 referd.conf.5 referctl.1 referd-trapfmt.1 referd-mib.7 \
    referd-cdr.5; do
	out=$(mandoc -T lint -W warning "$man/$page" 2>&1)
	h_is "mandoc -T lint -W warning: $page is clean" "$out" ""
done

# Every option in referd's getopt string is in referd(8).
opts=$(sed -n 's/.*getopt(argc, argv, "\([^"]*\)").*/\1/p' \
	"$REFERD_SRCDIR/agent/main.c" | tr -d ':')
h_like "referd's option string was found" "$opts" '^[a-zA-Z]+$'
for o in $(echo "$opts" | sed 's/./& /g'); do
	h_grep "referd(8) documents -$o" "$man/referd.8" "^\.It Fl $o( |$)"
done

# Every configuration token registered is in referd.conf(5): the reader
# registers each token of the column description that has a usage.
tokens=$(sed -n 's/.*\.\(conf\|word\) = "\([A-Za-z]*\)", \.conf_usage = .*/\2/p' \
	"$REFERD_SRCDIR/model/columns.c")
h_like "the configuration tokens were found" "$tokens" 'profile'
for t in $tokens; do
	h_grep "referd.conf(5) documents $t" "$man/referd.conf.5" "^\.It Cm $t( |$)"
done

# Every referctl field (shown or written) and counter, each column's
# word in the column description, is in referctl(1); every rule in
# referd-mib(7).
src=$REFERD_SRCDIR
fields=$(sed -n 's/.*\.key = "\([a-z-]*\)".*/\1/p' "$src/model/columns.c" | sort -u)
h_like "referctl's writable fields were found" "$fields" 'delayed-answer'
for f in $fields storage status; do
	h_grep "referctl(1) documents field $f" "$man/referctl.1" "^\.(It )?Cm (.* )?$f( |$)"
done
for c in show global list add set delete calls stats; do
	h_grep "referctl(1) documents command $c" "$man/referctl.1" "Cm $c( |$)"
done
rules=$(sed -n 's/^\t\[REFERD_RULE_[A-Z_]*\] = "\([a-z-]*\)",$/\1/p' "$src/model/config.c" |
	grep -v '^ok$')
h_like "the validation rules were found" "$rules" 'profile-must-exist'
for r in $rules; do
	h_grep "referd-mib(7) explains rule $r" "$man/referd-mib.7" "Li ([a-z-]+ , )*$r( ,|$)"
done

# Every field of a call detail record (cdr/record.c) is in referd-cdr(5).
cdrf=$(sed -n 's/^\t{ "\([a-z_]*\)", F_[A-Z]*, .*/\1/p' "$src/cdr/record.c")
h_like "the record's fields were found" "$cdrf" 'answer_time'
for f in $cdrf; do
	h_grep "referd-cdr(5) documents field $f" "$man/referd-cdr.5" \
	    "^\.It Cm (.* )?$f( |$)"
done
h_done
