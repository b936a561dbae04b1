#!/bin/bash
# tests/install.sh: `make install` into a staging root (DESTDIR, PREFIX), read back as a user would:
# the installed binary runs and `runt help run` is `runt run --help`; `man -l` renders runt(1)
# without a warning and the page covers run and the OCI commands; the bash completion completes
# commands and runt run's options. Needs man (man-db), as `make deps` installs. Run from the
# top of the tree after `make`.
set -euo pipefail
cd "$(dirname "$0")/.."
d=$(mktemp -d /tmp/runt-install-test.XXXXXX)
trap 'rm -rf "$d"' EXIT
fail=0
check() { # NAME CONDITION...
    local name=$1
    shift
    if "$@"; then echo "PASS $name"; else echo "FAIL $name"; fail=1; fi
}

make --no-print-directory install DESTDIR="$d" PREFIX=/opt/runt >"$d/make.log" 2>&1 || { cat "$d/make.log"; exit 1; }
check "installs the binary, the man page and the completion under DESTDIR/PREFIX" \
    test -x "$d/opt/runt/bin/runt" -a -f "$d/opt/runt/share/man/man1/runt.1" \
    -a -f "$d/opt/runt/share/bash-completion/completions/runt"
check "the installed binary is the one built" cmp -s ./runt "$d/opt/runt/bin/runt"
check "runt help run is runt run --help" \
    diff <("$d/opt/runt/bin/runt" help run) <("$d/opt/runt/bin/runt" run --help)
check "runt help create is runt create --help" \
    diff <("$d/opt/runt/bin/runt" help create) <("$d/opt/runt/bin/runt" create --help)

page=$(MANWIDTH=100 LC_ALL=C.UTF-8 man --warnings -l "$d/opt/runt/share/man/man1/runt.1" 2>"$d/man.err")
check "man -l renders runt(1) without warnings" test ! -s "$d/man.err"
[ -s "$d/man.err" ] && cat "$d/man.err"
for word in "runt run" "--rootfs DIR" "--tmpfs DST" "--mount" "--env-file FILE" "-u, --user USER" \
    "OCI COMMANDS" "create" "EXIT STATUS" "logs [-f|--follow] NAME" "stop [-t SECONDS] NAME" "rm [-f] NAME"; do
    check "the man page covers '$word'" grep -qF -- "$word" <<<"$page"
done
# Every option runt run --help lists is in the page.
for opt in $(./runt run --help | grep -oE '^  (-[a-z], )?--[a-z-]+' | grep -oE -- '--[a-z-]+'); do
    [ "$opt" = --help ] && continue
    check "the man page covers runt run $opt" grep -qF -- "$opt" <<<"$page"
done

complete_words() { # the completions of the words given, the last being the one typed
    bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _runt; printf "%s\n" "${COMPREPLY[@]}"' \
        _ "$d/opt/runt/share/bash-completion/completions/runt" "$@"
}
check "completion: runt cr → create" test "$(complete_words runt cr)" = create
check "completion: runt lo → logs" test "$(complete_words runt lo)" = logs
check "completion: runt run --det → --detach" test "$(complete_words runt run --det)" = --detach
check "completion: runt run --env-f → --env-file" test "$(complete_words runt run --env-f)" = --env-file
check "completion: runt run --net → none host" test "$(complete_words runt run --net '' | tr '\n' ' ')" = "none host "

[ "$fail" = 0 ] && echo "install: all passed"
exit "$fail"
