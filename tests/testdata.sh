#!/bin/sh
# testdata.sh NETSPLIT — the third-party histories in tests/data are the
# files their authors published, byte for byte (tests/data/SHA256SUMS), and
# every file that EXPECTED.tsv names is there.
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
cd "$(dirname "$0")/data" || fail "no tests/data"
sha256sum --quiet -c SHA256SUMS || fail "tests/data differs from SHA256SUMS"
n=0
for dir in porcupine knossos; do
	while IFS="$(printf '\t')" read -r file rest; do
		case "$file" in ''|'#'*) continue ;; esac
		[ -f "$dir/$file" ] || fail "$dir/EXPECTED.tsv names $file, which is missing"
		n=$((n + 1))
	done <"$dir/EXPECTED.tsv"
done
[ "$n" -ge 200 ] || fail "only $n histories listed"
echo "testdata: $(wc -l <SHA256SUMS) files intact, $n histories listed"
