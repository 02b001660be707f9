#!/usr/bin/env bash
# engine_hadoop.sh TALLY: the Hadoop Streaming contract, played here
# without Hadoop. The input is cut into pieces at line ends (`split`, as
# Hadoop cuts a text file into splits); each piece goes on stdin to a mapper
# `tally --partial ...` with mapreduce_map_input_start set to the piece's
# byte offset (Hadoop exports the split's offset under that name, and tally
# takes it as the partial's origin, which keeps first/last/mode exact); the
# shuffle is `LC_ALL=C sort` of all the mappers' lines; the reducer is
# `tally --merge`. Its output must be byte-for-byte what one run prints.
# Also: a combiner per mapper (`tally --merge --partial`), a tree of
# reducers, and the mappers' outputs merged in reverse without the sort.
# The inputs have no header line (a split but the first would lack it):
# logs, CSV read with -n and TSV read with -n.
set -u
tally=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/engine_hadoop.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C
passed=0 failed=0

# check NAME WANT_FILE GOT_FILE: the two files are byte-for-byte equal.
check()
{
    if cmp -s "$2" "$3"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $1:"
        diff "$2" "$3" | head -n 20
    fi
}

# mappers DIR ARGS...: one `tally --partial ARGS` per $DIR/piece.* on its
# stdin, with the piece's byte offset in mapreduce_map_input_start; the
# output of piece.X in map.X. Fails the suite if a mapper fails.
mappers()
{
    local dir=$1 offset=0 piece
    shift
    for piece in "$dir"/piece.*; do
        if ! mapreduce_map_input_start=$offset "$tally" --partial "$@" <"$piece" \
            >"$dir/map.${piece##*.}" 2>"$dir/mapper.err"; then
            failed=$((failed + 1))
            echo "FAIL mapper on $piece (offset $offset): $(cat "$dir/mapper.err")"
        fi
        offset=$((offset + $(wc -c <"$piece")))
    done
}

# partition DIR KEY_FIELDS REDUCERS: Hadoop's partitioner played by awk;
# each line of stdin goes to DIR/reduce.<hash of its first KEY_FIELDS
# tab-separated fields, modulo REDUCERS> (every file is made, maybe empty).
partition()
{
    local i
    for ((i = 0; i < $3; i++)); do
        : >"$1/reduce.$i"
    done
    awk -F '\t' -v dir="$1" -v nf="$2" -v r="$3" '
        BEGIN { for (i = 1; i < 256; i++) ord[sprintf("%c", i)] = i }
        {
            key = $1
            for (i = 2; i <= nf; i++) key = key "\t" $i
            h = 0
            for (i = 1; i <= length(key); i++) h = (h * 31 + ord[substr(key, i, 1)]) % 1000003
            print >> (dir "/reduce." (h % r))
        }'
}

# job NAME INPUT SPLIT_OPTION ARGS...: the whole contract on INPUT cut by
# `split SPLIT_OPTION`, against one run of `tally ARGS INPUT`.
job()
{
    local name=$1 input=$2 cut=$3
    shift 3
    local dir=$tmp/$name
    mkdir -p "$dir"
    "$tally" "$@" "$input" >"$dir/want" 2>/dev/null || {
        failed=$((failed + 1))
        echo "FAIL $name: one run fails"
        return
    }
    split "$cut" "$input" "$dir/piece."
    mappers "$dir" "$@"
    local maps=("$dir"/map.*)

    cat "${maps[@]}" | sort | "$tally" --merge >"$dir/got" 2>&1
    check "$name: mappers, sort, reducer" "$dir/want" "$dir/got"

    # A combiner on each mapper's output (Hadoop may run it or not).
    local m
    for m in "${maps[@]}"; do
        "$tally" --merge --partial <"$m" >"$m.comb"
    done
    cat "$dir"/map.*.comb | sort | "$tally" --merge >"$dir/got.comb" 2>&1
    check "$name: with combiners" "$dir/want" "$dir/got.comb"

    # A tree: reducers of pairs of mappers write partials, one merges them.
    local i level=()
    for ((i = 0; i < ${#maps[@]}; i += 2)); do
        cat "${maps[@]:i:2}" | sort | "$tally" --merge --partial >"$dir/level.$i"
        level+=("$dir/level.$i")
    done
    "$tally" --merge "${level[@]}" >"$dir/got.tree" 2>&1
    check "$name: tree of reducers" "$dir/want" "$dir/got.tree"

    # Three reducers: the partitioner sends each line by its key (the qid
    # and the group's keys, stream.num.map.output.key.fields=1+K) to one
    # of them, so the header and trailer lines reach only some: the
    # reducers are given the query, write partials, and one merges those.
    local nkeys=0 prev='' a
    for a in "$@"; do
        [ "$prev" = -g ] && nkeys=$(($(tr -cd , <<<"$a" | wc -c) + 1))
        prev=$a
    done
    cat "${maps[@]}" | partition "$dir" $((1 + nkeys)) 3
    for i in 0 1 2; do
        sort "$dir/reduce.$i" | "$tally" --merge --partial "$@" >"$dir/reduced.$i" 2>&1
    done
    cat "$dir"/reduced.? | "$tally" --merge >"$dir/got.many" 2>&1
    check "$name: three reducers given the query" "$dir/want" "$dir/got.many"

    # Unsorted, mappers in reverse order: the origins keep it exact.
    local reversed=()
    for ((i = ${#maps[@]} - 1; i >= 0; i--)); do
        reversed+=("${maps[i]}")
    done
    cat "${reversed[@]}" | "$tally" --merge >"$dir/got.rev" 2>&1
    check "$name: mappers in reverse, unsorted" "$dir/want" "$dir/got.rev"
}

# The mapper takes its origin from the environment: the trailer says it.
printf '1,a\n2,b\n' >"$tmp/small.csv"
mapreduce_map_input_start=1234 "$tally" -n -g 2 --partial <"$tmp/small.csv" >"$tmp/small.part"
if grep -q "^#tally-end	[0-9a-f]\{16\}	00000000000004d2	2\$" "$tmp/small.part"; then
    passed=$((passed + 1))
else
    failed=$((failed + 1))
    echo "FAIL mapreduce_map_input_start=1234 is not the trailer's origin:"
    cat "$tmp/small.part"
fi

# The inputs: the bundled log; the bundled CSV without its header (-n);
# the same rows as TSV (-F tsv -n), written by tally itself.
log=$root/data/access.log
tail -n +2 "$root/data/access.csv" >"$tmp/access.csv"
"$tally" -o tsv --no-header-out "$root/data/access.csv" >"$tmp/access.tsv"

job log4 "$log" -nl/4 --log=combined -g status -a \
    count,sum:bytes,first:path,last:path,mode:ip,median:bytes,distinct:path -o csv
job log-lines "$log" -l333 --log=combined -g method,status -a \
    n=count,last:time,p99:bytes,mode:agent --sort n:desc --limit 6 -o json
job csv5 "$tmp/access.csv" -nl/5 -n -g 5 -a \
    count,sum:6,mean:7,stddev:7,first:4,last:4,mode:2,p90:7,distinct:4 -o tsv
job csv-lines "$tmp/access.csv" -l1000 -n -w '$5 >= 400' -g 3,1/1h -a \
    count,first:8,last:8,mode:2,median:6 -o table --precision 5
job tsv3 "$tmp/access.tsv" -nl/3 -F tsv -n -g 2 -a count,var:7,min:7,max:7,mode:5,last:4 \
    -o markdown
job tsv-tiny "$tmp/access.tsv" -nl/7 -F tsv -n -g 3 -a count,first:2 -o jsonl

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
