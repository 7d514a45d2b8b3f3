#!/bin/sh
# package.sh NETSPLIT — the Debian package (CPack's DEB generator, from this
# build): its control fields name the libraries netsplit links as Depends,
# it holds the program, lessons, themes, translations and the man page
# under /usr, and the program unpacked from it (dpkg -x, anywhere) runs:
# lessons, a scenario, Spanish --help. (Installing it with apt is done on a
# fresh root by hand: README.) Skipped (77) without cpack, dpkg-deb,
# dpkg-shlibdeps or file (.ci/setup installs them).
set -u
ns=$1
build=$(cd "$(dirname "$ns")" && pwd)
cpack=${NETSPLIT_CPACK:-cpack}
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v "$cpack" >/dev/null 2>&1 || { echo "package: no cpack, skipped"; exit 77; }
command -v dpkg-deb >/dev/null 2>&1 || { echo "package: no dpkg-deb, skipped"; exit 77; }
for tool in dpkg-shlibdeps file; do # CPack's Depends from the linked libraries
	command -v $tool >/dev/null 2>&1 || { echo "package: no $tool, skipped"; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export XDG_DATA_HOME="$tmp/data" XDG_STATE_HOME="$tmp/state"
unset NETSPLIT_LESSONS

(cd "$tmp" && "$cpack" -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/out") >"$tmp/log" 2>&1 ||
	fail "cpack: $(tail -5 "$tmp/log")"
deb=$(ls "$tmp"/out/netsplit_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || fail "no netsplit_*.deb made: $(tail -5 "$tmp/log")"
[ "$(dpkg-deb -f "$deb" Package)" = netsplit ] || fail "Package field"
dpkg-deb -f "$deb" Version | grep -qx '[0-9][0-9.]*' || fail "Version field"
deps=$(dpkg-deb -f "$deb" Depends)
for lib in libc6 libncursesw6 libreadline8 libsqlite3-0; do
	echo "$deps" | grep -q "$lib" || fail "Depends lacks $lib: $deps"
done
dpkg-deb -c "$deb" | awk '{print $NF}' >"$tmp/files"
for f in ./usr/bin/netsplit ./usr/share/netsplit/lessons/welcome.lesson \
	./usr/share/netsplit/themes/default.theme ./usr/share/locale/es/LC_MESSAGES/netsplit.mo \
	./usr/share/man/man1/netsplit.1; do
	grep -qx "$f" "$tmp/files" || fail "the package lacks $f"
done
dpkg -x "$deb" "$tmp/root" || fail "dpkg -x"
n="$tmp/root/usr/bin/netsplit"
cd "$tmp" || fail "cd"
"$n" lessons --db "$tmp/db" | grep -q raft-election || fail "the packaged netsplit lists no lessons"
printf 'seed 1\ncluster raft 3\nrun until leader timeout 5s\nexpect leader in n1 n2 n3\n' >"$tmp/s.ns"
"$n" run -q "$tmp/s.ns" >/dev/null || fail "the packaged netsplit: run"
LANGUAGE=es LC_ALL=C.UTF-8 "$n" --help | grep -q "^Uso: netsplit" || fail "the packaged netsplit: Spanish"
echo "package: ok ($(basename "$deb"), Depends: $deps)"
