#!/bin/sh
# docs.sh: the man pages are clean under mandoc's linter and document
# every option and token the code accepts.
. "${REFERD_SRCDIR:-.}/tests/lib/harness.sh"
h_init 6 docs
h_need mandoc
man=$REFERD_SRCDIR/man

for page in referd.8 referd.conf.5; do
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

# Every configuration token registered is in referd.conf(5).
tokens=$(sed -n 's/.*register_app_config_handler("\([A-Za-z]*\)".*/\1/p' \
	"$REFERD_SRCDIR/agent/conffile.c")
h_like "the configuration tokens were found" "$tokens" 'profile'
for t in $tokens; do
	h_grep "referd.conf(5) documents $t" "$man/referd.conf.5" "^\.It Cm $t( |$)"
done
h_done
