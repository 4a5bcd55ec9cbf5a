#!/bin/sh
# autogen.sh: generate configure and the Makefile templates from a git
# checkout.  The TAP driver comes from the installed automake, not from
# this repository.
set -e
cd "$(dirname "$0")"
mkdir -p build-aux m4
autoreconf -fi
cp "$(automake --print-libdir)/tap-driver.sh" build-aux/tap-driver.sh
