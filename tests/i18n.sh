#!/bin/sh
# i18n.sh NETSPLIT — the Spanish translation, as a user meets it (run from
# the source directory):
#  - with LANGUAGE=es, `netsplit --help` and error messages are in Spanish
#    (gettext: po/es.po, compiled into the build tree), and a translated
#    message keeps its file:line:col and its arguments;
#  - `netsplit lessons` lists every lesson under its Spanish title
#    (lessons/es/), and --lang picks the lesson language without LANGUAGE;
#  - every translated lesson keeps the English lesson's skeleton byte for
#    byte: id, order, requires, goals, set-ups, solutions, wrong moves and the
#    `when:` of each prediction's answers, and the same
#    number of steps, hints, questions and answers, with the same right ones;
#  - po/es.po has no untranslated or fuzzy message.
set -u
ns=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
es() { LANGUAGE=es LC_ALL=C.UTF-8 "$@"; }

# ---- gettext ---------------------------------------------------------------
es "$ns" --help >"$tmp/out" 2>"$tmp/err" || fail "--help exit $?"
grep -q "^Uso: netsplit" "$tmp/out" || fail "--help is not in Spanish: $(head -1 "$tmp/out")"
grep -q "^Comandos:" "$tmp/out" || fail "--help lacks \"Comandos:\""
grep -q "Usage:" "$tmp/out" && fail "--help still says Usage:"
[ -s "$tmp/err" ] && fail "--help wrote to stderr: $(cat "$tmp/err")"
# English stays the default
LANGUAGE= LC_ALL=C "$ns" --help | grep -q "^Usage: netsplit" || fail "--help in the C locale is not English"

printf 'cluster heartbeat 3\nrun soon\n' >"$tmp/bad.ns"
es "$ns" run "$tmp/bad.ns" >/dev/null 2>"$tmp/err"; rc=$?
[ "$rc" -eq 2 ] || fail "bad scenario exit $rc"
grep -q 'bad.ns:2:5: se esperaba una duración como 500ms, se recibió "soon"' "$tmp/err" ||
	fail "translated error message: $(cat "$tmp/err")"

printf 'cluster heartbeat 3\nrun 1s\nexpect up all\n' >"$tmp/ok.ns"
es "$ns" run -q "$tmp/ok.ns" >"$tmp/out" || fail "passing scenario in Spanish"
grep -q "^-- 1 expect cumplidos, 0 fallidos" "$tmp/out" || fail "summary: $(tail -1 "$tmp/out")"
grep -q "clúster nuevo: heartbeat · 3 nodos" "$tmp/out" || fail "new cluster line: $(head -1 "$tmp/out")"

# ---- lessons -----------------------------------------------------------------
title() { sed -n 's/^title: *//p' "$1"; }
es "$ns" lessons --db "$tmp/db" >"$tmp/out" 2>"$tmp/err" || fail "lessons exit $?"
grep -q "^Lecciones" "$tmp/out" || fail "lessons header is not in Spanish: $(head -1 "$tmp/out")"
LANGUAGE= LC_ALL=C "$ns" lessons --db "$tmp/db" --lang es >"$tmp/lang" 2>&1 || fail "lessons --lang es"
n=0
for en in lessons/*.lesson; do
	tr="lessons/es/${en#lessons/}"
	[ -f "$tr" ] || fail "$en has no Spanish translation ($tr)"
	t=$(title "$tr")
	[ -n "$t" ] || fail "$tr has no title"
	grep -qF -- "$t" "$tmp/out" || fail "netsplit lessons does not list \"$t\""
	grep -qF -- "$t" "$tmp/lang" || fail "netsplit lessons --lang es does not list \"$t\""
	if [ "$t" != "$(title "$en")" ]; then
		grep -qF -- "$(title "$en")" "$tmp/out" && fail "the English title of $en is listed"
	fi
	n=$((n + 1))
done
[ "$n" -ge 1 ] || fail "no lessons found (run from the source directory)"

# The language-independent skeleton of a lesson: what must not be translated.
skeleton() {
	awk '
	/^#/ { next }
	/^[a-z]+:/ {
		key = $0; sub(/:.*/, "", key)
		inq = (key == "question" || key == "predict")
		keep = (key == "setup" || key == "solution" || key == "wrong")
		if (key == "lesson" || key == "order" || key == "requires" || key == "goal" || keep)
			print
		else if (key == "step" || key == "hint" || key == "question" || key == "predict")
			print key
		next
	}
	/^[ \t]/ {
		if (keep) { print; next }
		if (inq && $0 ~ /^[ \t]+[-*][ \t]/) { t = $0; sub(/^[ \t]+/, "", t); print "answer " substr(t, 1, 1) }
		if (inq && $0 ~ /^[ \t]+when:/) { t = $0; sub(/^[ \t]+/, "", t); print t }
		next
	}
	/^[ \t]*$/ { if (keep) print ""; next }
	' "$1"
}
for tr in lessons/es/*.lesson; do
	en="lessons/${tr#lessons/es/}"
	[ -f "$en" ] || fail "$tr translates no English lesson"
	skeleton "$en" >"$tmp/en.skel"
	skeleton "$tr" >"$tmp/es.skel"
	diff -u "$tmp/en.skel" "$tmp/es.skel" >"$tmp/diff" ||
		fail "$tr differs from $en where it must not:
$(cat "$tmp/diff")"
	# An answer is one line: a wrapped answer's second line would be read
	# as the start of its explanation, and every explanation here starts
	# with "No:" or "Correcto:".
	awk '/^[a-z]+:/ { inq = ($0 ~ /^question:/); next }
	     inq && want { if ($0 !~ /^[ \t]+(No|Correcto):/) { print FILENAME ":" FNR ": " $0; bad = 1 } want = 0; next }
	     inq && /^[ \t]+[-*][ \t]/ { want = 1 }
	     END { exit bad }' "$tr" >"$tmp/wrap" ||
		fail "an answer goes on over two lines (or its explanation does not start with No: or Correcto:)
$(cat "$tmp/wrap")"
done

# ---- the catalogue -----------------------------------------------------------
if command -v msgfmt >/dev/null 2>&1; then
	msgfmt --check --statistics -o /dev/null po/es.po 2>"$tmp/stats" || fail "msgfmt --check po/es.po"
	grep -Eq "untranslated|fuzzy" "$tmp/stats" && fail "po/es.po is incomplete: $(cat "$tmp/stats")"
fi
exit 0
