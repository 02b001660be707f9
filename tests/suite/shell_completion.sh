#!/usr/bin/env bash
# shell_completion.sh TALLY: the bash completion, loaded into a clean bash,
# offers options, formats, presets, aggregates, and column names read from
# the header of the file on the command line. zsh and fish completions get a
# syntax check when those shells are installed.
set -u
root=${TALLY_TESTS_DIR:-$(dirname "$0")/..}/..
root=$(cd "$root" && pwd)
data=$root/tests/data
fail=0

# complete WORD...: the candidates for the word marked with a leading ^ (else
# the last word), one per line, from a bash started without startup files.
complete_words()
{
    (cd "$data" && bash --norc --noprofile -c '
        source "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
        for i in "${!COMP_WORDS[@]}"; do
            if [[ ${COMP_WORDS[i]} == ^* ]]; then
                COMP_WORDS[i]=${COMP_WORDS[i]#^}
                COMP_CWORD=$i
            fi
        done
        _tally; rc=$?
        printf "%s\n" "${COMPREPLY[@]}"
        exit $rc' bash "$root/completions/tally.bash" "$@")
}

# expect "WORDS" CANDIDATE...: every CANDIDATE is offered.
expect()
{
    local words=$1 got c
    shift
    # shellcheck disable=SC2086 # words are split on purpose
    got=$(eval "complete_words $words") || { echo "FAIL: _tally failed on: $words"; fail=1; return; }
    for c in "$@"; do
        if ! grep -qxF -- "$c" <<<"$got"; then
            echo "FAIL: tally $words -> no \"$c\" among:"
            sed 's/^/    /' <<<"$got"
            fail=1
        fi
    done
}

# expect_none "WORDS" CANDIDATE...: no CANDIDATE is offered.
expect_none()
{
    local words=$1 got c
    shift
    got=$(eval "complete_words $words")
    for c in "$@"; do
        if grep -qxF -- "$c" <<<"$got"; then
            echo "FAIL: tally $words -> unexpected \"$c\""
            fail=1
        fi
    done
}

# expect_exactly "WORDS" CANDIDATE...: these candidates, in this order, only.
expect_exactly()
{
    local words=$1 got want
    shift
    got=$(eval "complete_words $words")
    want=$(printf '%s\n' "$@")
    if [ "$got" != "$want" ]; then
        echo "FAIL: tally $words ->"
        sed 's/^/    got:  /' <<<"$got"
        sed 's/^/    want: /' <<<"$want"
        fail=1
    fi
}

# Options.
expect "tally -" --format= --delimiter= --no-header --log= --strict --max-record= --max-fields= \
    --select= --group-by= --agg= --where= --sort= --limit= --output= --no-header-out --progress \
    --no-progress --threads= --precision= --help --version -F -d -n -s -g -a -w -o -j -h -V
expect_exactly "tally --no-h" --no-header --no-header-out
expect_exactly "tally --prec" --precision=
expect_exactly "tally --precision 1" 1 10 11 12 13 14 15 16 17
expect_exactly "tally --precision=9" --precision=9
# The value of --precision is not a file: the next word completes columns.
expect_exactly "tally --precision 3 access.csv -s ti" time
expect_exactly "tally --gr" --group-by=

# Output formats, as a separate word, after = (split by readline or not), attached.
expect_exactly "tally -o ''" table csv tsv json jsonl markdown chart
expect_exactly "tally --output ''" table csv tsv json jsonl markdown chart
expect_exactly "tally --output = js" json jsonl
expect_exactly "tally --output =" table csv tsv json jsonl markdown chart
expect_exactly "tally --output=js" --output=json --output=jsonl
expect_exactly "tally -ojs" -ojson -ojsonl
expect_exactly "tally -F ''" csv tsv log

# Log presets, and their columns.
expect_exactly "tally --log ''" combined common syslog
expect_exactly "tally --log = sys" syslog
expect_exactly "tally --log=combined -g st" status
expect_exactly "tally --log=syslog -s ''" time host program pid message
expect_exactly "tally --log '(?<ts>\\S+) (?<level>\\w+)' -g ''" ts level

# Column names from the header of the file on the command line, before or
# after the option being completed.
expect_exactly "tally access.csv -s ''" time host method path status bytes latency_ms \
    '\`user\ agent\`'
expect_exactly "tally -g ^ access.csv" time host method path status bytes latency_ms \
    '\`user\ agent\`'
expect_exactly "tally access.csv -s time,h" time,host
expect_exactly "tally access.csv -s time,us" 'time,\`user\ agent\`'
expect_exactly "tally access.csv --select=m" --select=method
expect_exactly "tally access.csv --select = m" method
expect_exactly "tally people.tsv -s ''" id name score
# TSV as tally reads it: names in any case, quotes literal, escapes decoded.
expect_exactly "tally quoted_names.TAB -s ''" '\`\"q\"\`' "\$'\`x\\ty\`'" plain
expect_exactly "tally -F csv -d '\\t' quoted_names.TAB -s ''" q '\`x\\ty\`' plain
expect_exactly "tally -d ';' semi.csv -g ''" id name score
expect_exactly "tally -n a.csv -s ''" 1 2 3
expect_exactly "tally bom_crlf.csv -s ''" id name
expect "tally odd_names.csv -g ''" '\`a\ b\`' '\`c/d\`' e
expect_none "tally nosuchfile.csv -s ''" time
# Bucket widths after COL/.
expect "tally access.csv -g time/" time/5m time/1h time/1d
expect "tally access.csv -g status,latency_ms/" status,latency_ms/100

# Aggregates: names, FUNC: forms, then FUNC:COL with columns of the file.
expect "tally -a ''" count sum min max mean stddev var median p50 p90 p95 p99 distinct first \
    last mode sum: p99: count:
expect_exactly "tally -a m" min min: max max: mean mean: median median: mode mode:
expect_exactly "tally access.csv -a count,su" count,sum count,sum:
expect_exactly "tally access.csv -a sum:b" sum:bytes
expect_exactly "tally access.csv -a sum : b" bytes
expect_exactly "tally access.csv -a p99 : ''" time host method path status bytes latency_ms \
    '\`user\ agent\`'
expect_exactly "tally access.csv -a n=su" n=sum n=sum:
expect_exactly "tally access.csv -a n=p95:lat" n=p95:latency_ms

# --sort: output columns (keys, count, FUNC_COL, NAME) and :desc.
expect "tally access.csv -g status -a n=count,sum:bytes,'p99(latency_ms)' --sort ''" status n \
    sum_bytes p99_latency_ms
expect_exactly "tally access.csv -g status --sort ''" status count
expect_exactly "tally access.csv -s path,status --sort ''" path status
expect_exactly "tally access.csv -g time/5m -a n=count --sort = ''" time/5m n
expect_exactly "tally --sort n:" n:desc
expect_exactly "tally --sort status,n:d" status,n:desc

# Files for plain words.
expect_exactly "tally acc" access.csv

bash -n "$root/completions/tally.bash" || { echo "FAIL: bash -n completions/tally.bash"; fail=1; }
if command -v zsh >/dev/null; then
    zsh -n "$root/completions/_tally" || { echo "FAIL: zsh -n completions/_tally"; fail=1; }
    # zsh_columns WORD... -> the column names _tally_columns finds (the words
    # as the command line holds them, quotes and all), one per line.
    zsh_columns()
    {
        (cd "$data" && zsh -f -c 'setopt extendedglob; eval "$(sed "\$d" "$1")"; shift
            words=(tally "$@"); local -a got; _tally_columns got; print -rl -- $got' \
            zsh "$root/completions/_tally" "$@")
    }
    zsh_expect()
    {
        local got want
        got=$(zsh_columns $1)
        shift
        want=$(printf '%s\n' "$@")
        [ "$got" = "$want" ] || { echo "FAIL: zsh: got [$got] want [$want]"; fail=1; }
    }
    zsh_expect "access.csv" time host method path status bytes latency_ms '`user agent`'
    zsh_expect "quoted_names.TAB" '`"q"`' $'`x\ty`' plain
    zsh_expect "-F csv -d '\\t' quoted_names.TAB" q '`x\ty`' plain
else
    echo "note: zsh not installed, _tally not syntax-checked"
fi
if command -v fish >/dev/null; then
    fish -n "$root/completions/tally.fish" || { echo "FAIL: fish -n completions/tally.fish"; fail=1; }
    # fish_expect LINE CANDIDATE...: fish offers exactly these, in its order.
    fish_expect()
    {
        local got want
        got=$(cd "$data" && fish --no-config -c 'source $argv[1]; complete -C $argv[2]' \
            "$root/completions/tally.fish" "$1" | cut -f1)
        shift
        want=$(printf '%s\n' "$@")
        [ "$got" = "$want" ] || { echo "FAIL: fish: got [$got] want [$want]"; fail=1; }
    }
    fish_expect "tally -o js" json jsonl
    fish_expect "tally access.csv -s ti" time
    fish_expect "tally access.csv -a sum:by" sum:bytes
    fish_expect "tally -n a.csv -s " 1 2 3
    fish_expect "tally access.csv -g status --sort " count status
    fish_expect "tally --log=syslog -g p" pid program
    # TSV names as tally reads them; CSV quotes in a header are removed.
    fish_expect "tally quoted_names.TAB -s p" plain
    fish_expect 'tally quoted_names.TAB -s `"q' '`"q"`'
    fish_expect 'tally -F csv -d \\t quoted_names.TAB -s ' plain q '`x\ty`'
    fish_expect 'tally -F csv -d \\t quoted_names.TAB -s q' q
else
    echo "note: fish not installed, tally.fish not syntax-checked"
fi

[ $fail -eq 0 ] && echo "ok: bash completion"
exit $fail
