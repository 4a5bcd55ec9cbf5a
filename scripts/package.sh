#!/bin/sh
# package.sh: build referd's Debian package (debian/) from a copy of this
# tree, so that the tree and its build/ directories are left as they are.
#
#   sh scripts/package.sh [OUTDIR]       the .deb in OUTDIR (default build/deb)
#   VERSION=X sh scripts/package.sh DIR  the same with version X, written to
#                                        the copy's configure.ac and
#                                        debian/changelog (the upgrade test)
#
# Needs the build dependencies (sh scripts/deps.sh).  Runs
# dpkg-buildpackage -b -us -uc with DEB_BUILD_OPTIONS="nocheck parallel=2"
# unless DEB_BUILD_OPTIONS is set.  Prints the .deb's path last.
set -eu
cd "$(dirname "$0")/.."
top=$PWD
out=${1:-build/deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)
tree_version=$(sed -n 's/^AC_INIT(\[referd\], \[\([^]]*\)\].*/\1/p' configure.ac)
version=${VERSION:-$tree_version}
work=$(mktemp -d "$out/src.XXXXXX")
trap 'rm -rf "$work"' EXIT
src=$work/referd-$version

# The tree without builds, generated files and version control: in a git
# checkout the files git knows (committed or not), else all but build/.
mkdir -p "$src"
if [ -d .git ] || [ -f .git ]; then
	git ls-files --cached --others --exclude-standard |
		while IFS= read -r f; do [ -e "$f" ] && echo "$f"; done |
		tar -cf - --verbatim-files-from -T - | (cd "$src" && tar -xf -)
else
	tar --exclude=./build --exclude=./autom4te.cache -cf - . |
		(cd "$src" && tar -xf -)
fi

if [ "$version" != "$tree_version" ]; then
	sed -i "s/^AC_INIT(\[referd\], \[$tree_version\]/AC_INIT([referd], [$version]/" \
	    "$src/configure.ac"
	{
		printf 'referd (%s) unstable; urgency=medium\n\n' "$version"
		printf '  * Version %s, built by scripts/package.sh.\n\n' "$version"
		printf ' -- %s  %s\n\n' \
		    "$(sed -n 's/^ -- \(.*>\)  .*/\1/p' debian/changelog | head -n 1)" \
		    "$(date -R)"
		cat debian/changelog
	} >"$src/debian/changelog"
fi

export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-nocheck parallel=2}"
(cd "$src" && dpkg-buildpackage -b -us -uc) >"$out/build-$version.log" 2>&1 || {
	echo "package: dpkg-buildpackage failed; the end of $out/build-$version.log:" >&2
	tail -n 30 "$out/build-$version.log" >&2
	exit 1
}
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
for f in "$work"/referd_"$version"_* "$work"/referd-dbgsym_"$version"_*; do
	[ -e "$f" ] && mv -f "$f" "$out/"
done
echo "$out/referd_${version}_$arch.deb"
