# fish completion for tally(1): options, formats, log presets, aggregates,
# and column names read from the header of the first input file on the line.

# The column names of the input, as tally reads them (`backticks` around
# names that are not plain identifiers), one per line.
function __tally_columns
    set -l tokens (commandline -opc) (commandline -ct)
    set -e tokens[1]
    set -l files
    set -l expect ''
    set -l format ''
    set -l delim ''
    set -l log ''
    set -l noheader 0
    for w in $tokens
        if test -n "$expect"
            switch $expect
                case F
                    set format $w
                case d
                    set delim $w
                case log
                    set log $w
            end
            set expect ''
            continue
        end
        switch $w
            case -F --format
                set expect F
            case -d --delimiter
                set expect d
            case --log
                set expect log
            case -s -g -a -w -o -j --select --group-by --agg --where --sort --limit --output \
                --threads --max-record --max-fields --precision
                set expect skip
            case '--format=*'
                set format (string replace -r '^[^=]*=' '' -- $w)
            case '-F?*'
                set format (string sub -s 3 -- $w)
            case '--delimiter=*'
                set delim (string replace -r '^[^=]*=' '' -- $w)
            case '-d?*'
                set delim (string sub -s 3 -- $w)
            case '--log=*'
                set log (string replace -r '^[^=]*=' '' -- $w)
            case -n --no-header
                set noheader 1
            case '-*'
            case '*'
                set -a files $w
        end
    end

    set -l names
    if test -n "$log"
        switch $log
            case combined
                set names ip ident user time request method path protocol status bytes referer agent
            case common
                set names ip ident user time request method path protocol status bytes
            case syslog
                set names time host program pid message
            case '*'
                set names (string match -ar '\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>' -- $log | string match -rv '^\(')
        end
    else
        set -l f ''
        for w in $files
            set w (string replace -r '^~' $HOME -- $w)
            if test -f "$w" -a -r "$w"
                set f $w
                break
            end
        end
        test -n "$f"; or return 1
        set -l line
        # As tally: names compare without case, one compression suffix.
        switch (string lower -- $f)
            case '*.gz'
                set line (gzip -dc -- $f 2>/dev/null | head -n 1)
            case '*.zst' '*.zstd'
                set line (zstd -dcq -- $f 2>/dev/null | head -n 1)
            case '*'
                set line (head -n 1 -- $f)
        end
        set -l base (string lower -- $f | string replace -r '\.(gz|zst|zstd)$' '')
        set -l tsv 0
        if test "$format" = tsv; or begin
                test -z "$format"; and string match -qr '\.(tsv|tab)$' -- $base
            end
            set tsv 1
        end
        set line (string replace -r '^\x{feff}' '' -- "$line")
        if test $tsv -eq 1
            set line (string replace -r '\r$' '' -- "$line")
        else
            set line (string replace -r '\r.*' '' -- "$line")
        end
        if test -z "$delim"
            set delim ,
            if test $tsv -eq 1
                set delim \t
            end
        end
        if test "$delim" = '\t' -o "$delim" = tab
            set delim \t
        end
        # RFC 4180: split at the delimiter outside quotes; "" inside quotes is ".
        set -l field ''
        set -l inq 0
        set -l chars (string split '' -- "$line")
        set -l i 1
        set -l n (count $chars)
        while test $i -le $n
            set -l c $chars[$i]
            set -l e ''
            if test $i -lt $n
                set e $chars[(math $i + 1)]
            end
            if test $tsv -eq 1
                # TSV: split at every delimiter, quotes literal, \t \n \r \\ decoded.
                if test "$c" = "$delim"
                    set -a names $field
                    set field ''
                else if test "$c" = '\\'; and string match -q -r '^[tnr\\\\]$' -- "$e"; and test "$e" != "$delim"
                    switch $e
                        case t
                            set field "$field"\t
                        case n
                            set field "$field"\n
                        case r
                            set field "$field"\r
                        case '*'
                            set field "$field\\"
                    end
                    set i (math $i + 1)
                else
                    set field "$field$c"
                end
            else if test $inq -eq 1
                if test "$c" = '"'
                    if test "$e" = '"'
                        set field "$field\""
                        set i (math $i + 1)
                    else
                        set inq 0
                    end
                else
                    set field "$field$c"
                end
            else if test "$c" = '"'
                set inq 1
            else if test "$c" = "$delim"
                set -a names $field
                set field ''
            else
                set field "$field$c"
            end
            set i (math $i + 1)
        end
        set -a names $field
        if test $noheader -eq 1
            set names (seq (count $names))
        end
    end
    for n in $names
        if string match -qr '^([A-Za-z_][A-Za-z0-9_]*|[0-9]+)$' -- $n
            echo $n
        else
            echo '`'(string replace -a '`' '``' -- $n)'`'
        end
    end
end

# Candidates for a comma-separated list of columns: the current token up to
# its last comma, then each column (and widths after COL/ for -g).
function __tally_column_list
    set -l cur (commandline -ct)
    set -l head (string match -r '^.*,' -- $cur)
    set -l item (string replace -r '^.*,' '' -- $cur)
    if test "$argv[1]" = keys; and string match -q '*/*' -- $item
        set -l col (string replace -r '/[^/]*$' '' -- $item)
        printf "%s\n" "$head$col"/{10,100,1000,30s,1m,5m,15m,1h,1d}
        return
    end
    for c in (__tally_columns)
        echo "$head$c"
    end
end

function __tally_agg_list
    set -l cur (commandline -ct)
    set -l head (string match -r '^.*,' -- $cur)
    set -l item (string replace -r '^.*,' '' -- $cur)
    set -l name (string match -r '^[^:=]*=' -- $item)
    set item (string replace -r '^[^:=]*=' '' -- $item)
    if string match -q '*:*' -- $item
        set -l func (string replace -r ':.*' '' -- $item)
        for c in (__tally_columns)
            echo "$head$name$func:$c"
        end
    else
        for f in count sum min max mean stddev var median p50 p90 p95 p99 distinct first last mode
            echo "$head$name$f"
            echo "$head$name$f:"
        end
    end
end

# --sort: output columns, each optionally :desc. They are the group keys as
# written and the aggregates' names (count, FUNC_COL, NAME); or the -s
# columns; or, for a plain filter, the input's columns.
function __tally_sort_list
    set -l cur (commandline -ct)
    set -l head (string match -r '^.*,' -- $cur)
    set -l item (string replace -r '^.*,' '' -- $cur)
    if string match -q '*:*' -- $item
        echo "$head"(string replace -r ":.*" "" -- $item):desc
        return
    end
    set -l keys
    set -l sel
    set -l hasagg 0
    set -l hasgroup 0
    set -l tokens (commandline -opc)
    set -l next ''
    for w in $tokens
        set -l a ''
        switch "$next"
            case g
                set -a keys (string split , -- $w)
                set next ''
                continue
            case s
                set -a sel (string split , -- $w)
                set next ''
                continue
            case a
                set a $w
                set next ''
        end
        if test -z "$a"
            switch $w
                case -g --group-by
                    set next g
                    set hasgroup 1
                case '--group-by=*'
                    set -a keys (string split , -- (string replace -r '^[^=]*=' '' -- $w))
                    set hasgroup 1
                case '-g?*'
                    set -a keys (string split , -- (string sub -s 3 -- $w))
                    set hasgroup 1
                case -s --select
                    set next s
                case '--select=*'
                    set -a sel (string split , -- (string replace -r '^[^=]*=' '' -- $w))
                case '-s?*'
                    set -a sel (string split , -- (string sub -s 3 -- $w))
                case -a --agg
                    set next a
                case '--agg=*'
                    set a (string replace -r '^[^=]*=' '' -- $w)
                case '-a?*'
                    set a (string sub -s 3 -- $w)
            end
        end
        test -n "$a"; or continue
        set hasagg 1
        for x in (string split , -- $a)
            if string match -q '*=*' -- $x
                set -a keys (string replace -r '=.*' '' -- $x)
            else if string match -q '*:*' -- $x
                set -a keys (string replace ':' '_' -- $x)
            else if string match -qr '^[a-z0-9.]+\(.*\)$' -- $x
                set -a keys (string replace -r '^([a-z0-9.]+)\((.*)\)$' '$1_$2' -- $x)
            else
                set -a keys $x
            end
        end
    end
    if test $hasgroup -eq 1 -a $hasagg -eq 0
        set -a keys count
    else if test $hasgroup -eq 0 -a $hasagg -eq 0
        set keys $sel
        test (count $keys) -gt 0; or set keys (__tally_columns)
    end
    for k in $keys
        echo "$head$k"
    end
end

complete -c tally -s F -l format -x -a 'csv tsv log' -d 'Input format'
complete -c tally -s d -l delimiter -x -a ', ; tab' -d 'CSV field delimiter'
complete -c tally -s n -l no-header -d 'The first row is data'
complete -c tally -l log -x -a 'combined\tApache/nginx common\tCLF syslog\tRFC\ 3164' -d 'Log preset or PCRE2 pattern'
complete -c tally -l strict -d 'A malformed row is an error'
complete -c tally -l max-record -x -d 'Longest record accepted'
complete -c tally -l max-fields -x -d 'Most fields in a record'
complete -c tally -s s -l select -x -a '(__tally_column_list)' -d 'Print these columns'
complete -c tally -s g -l group-by -x -a '(__tally_column_list keys)' -d 'Group by these keys'
complete -c tally -s a -l agg -x -a '(__tally_agg_list)' -d 'Aggregates'
complete -c tally -s w -l where -x -d 'Keep rows where the expression holds'
complete -c tally -l sort -x -a '(__tally_sort_list)' -d 'Order by output columns'
complete -c tally -l limit -x -d 'Print at most N output rows'
complete -c tally -s o -l output -x -a 'table csv tsv json jsonl markdown chart' -d 'Output format'
complete -c tally -l no-header-out -d 'Omit the header line'
complete -c tally -l precision -x -a '(seq 1 17)' -d 'Significant digits of computed non-integer values'
complete -c tally -l progress -d 'Draw a progress bar on stderr'
complete -c tally -l no-progress -d 'Never draw a progress bar'
complete -c tally -s j -l threads -x -d 'Worker threads'
complete -c tally -s h -l help -d 'Print the help and exit'
complete -c tally -s V -l version -d 'Print the version and exit'
