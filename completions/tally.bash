# bash completion for tally(1)                             -*- shell-script -*-
# Options, formats, log presets, aggregate names, and column names read from
# the header of the first input file already on the command line. Works with
# or without the bash-completion package (it uses none of its helpers).

_tally_aggs="count sum min max mean stddev var median p50 p90 p95 p99 distinct first last mode"
_tally_formats="table csv tsv json jsonl markdown chart"
_tally_presets="combined common syslog"
_tally_long_opts="--format= --delimiter= --no-header --log= --strict --max-record= --max-fields=
--select= --group-by= --agg= --where= --sort= --limit= --output= --no-header-out --precision= --progress
--no-progress --threads= --help --version"
_tally_short_opts="-F -d -n -s -g -a -w -o -j -h -V"

# _tally_split_header LINE DELIM: prints the fields of one CSV header line,
# one per line, with RFC 4180 quotes removed.
_tally_split_header()
{
    local line=$1 d=$2 field="" c i inq=0
    for ((i = 0; i < ${#line}; i++)); do
        c=${line:i:1}
        if ((inq)); then
            if [[ $c == '"' ]]; then
                if [[ ${line:i+1:1} == '"' ]]; then
                    field+='"'
                    ((i++))
                else
                    inq=0
                fi
            else
                field+=$c
            fi
        elif [[ $c == '"' ]]; then
            inq=1
        elif [[ $c == "$d" ]]; then
            printf '%s\n' "$field"
            field=""
        else
            field+=$c
        fi
    done
    printf '%s\n' "$field"
}

# _tally_split_tsv LINE DELIM: prints the fields of one TSV header line, one
# per line: quotes are ordinary characters, \t \r \\ are decoded (\n too,
# though such a name cannot be offered on one line).
_tally_split_tsv()
{
    local line=$1 d=$2 field="" c e i
    for ((i = 0; i < ${#line}; i++)); do
        c=${line:i:1}
        e=${line:i+1:1}
        if [[ $c == "$d" ]]; then
            printf '%s\n' "$field"
            field=""
        elif [[ $c == '\' && $e == [tnr\\] && $e != "$d" ]]; then
            case $e in
                t) field+=$'\t' ;;
                n) field+=$'\n' ;;
                r) field+=$'\r' ;;
                *) field+='\' ;;
            esac
            ((i++))
        else
            field+=$c
        fi
    done
    printf '%s\n' "$field"
}

# _tally_columns WORD...: the column names of the input, written as tally
# reads them (`backticks` around names that are not plain identifiers), one
# per line. WORDS are the command-line words after "tally".
_tally_columns()
{
    local -a files=()
    local w format="" delim="" log="" noheader=0 expect=""
    for w in "$@"; do
        if [[ -n $expect ]]; then
            case $expect in
                F) format=$w ;;
                d) delim=$w ;;
                log) log=$w ;;
            esac
            expect=""
            continue
        fi
        case $w in
            -F | --format) expect=F ;;
            -d | --delimiter) expect=d ;;
            --log) expect=log ;;
            -[sgawoj] | --select | --group-by | --agg | --where | --sort | --limit | --output | \
                --threads | --max-record | --max-fields | --precision) expect=skip ;;
            --format=*) format=${w#*=} ;;
            -F?*) format=${w#-F} ;;
            --delimiter=*) delim=${w#*=} ;;
            -d?*) delim=${w#-d} ;;
            --log=*) log=${w#*=} ;;
            -n | --no-header) noheader=1 ;;
            --) ;;
            -*) ;;
            *) files+=("$w") ;;
        esac
    done

    local -a names=()
    if [[ -n $log ]]; then
        case $log in
            combined) names=(ip ident user time request method path protocol status bytes referer agent) ;;
            common) names=(ip ident user time request method path protocol status bytes) ;;
            syslog) names=(time host program pid message) ;;
            *)
                local rest=$log
                while [[ $rest =~ \(\?(P?<|\')([A-Za-z_][A-Za-z0-9_]*) ]]; do
                    names+=("${BASH_REMATCH[2]}")
                    rest=${rest#*"${BASH_REMATCH[0]}"}
                done
                ;;
        esac
    else
        local f="" line=""
        for w in "${files[@]}"; do
            w=${w/#\~/$HOME}
            if [[ -f $w && -r $w ]]; then
                f=$w
                break
            fi
        done
        [[ -n $f ]] || return 0
        # As tally: names compare without case, one compression suffix.
        local lower=${f,,} base tsv=0
        case $lower in
            *.gz)
                line=$(gzip -dc -- "$f" 2>/dev/null | head -n 1)
                base=${lower%.gz}
                ;;
            *.zst | *.zstd)
                line=$(zstd -dcq -- "$f" 2>/dev/null | head -n 1)
                base=${lower%.zst}
                base=${base%.zstd}
                ;;
            *)
                IFS= read -r line <"$f"
                base=$lower
                ;;
        esac
        line=${line#$'\xef\xbb\xbf'}
        [[ $format == tsv || ( -z $format && ( $base == *.tsv || $base == *.tab ) ) ]] && tsv=1
        if ((tsv)); then
            line=${line%$'\r'}
        else
            line=${line%%$'\r'*}
        fi
        if [[ -z $delim ]]; then
            delim=,
            ((tsv)) && delim=$'\t'
        fi
        [[ $delim == '\t' || $delim == tab ]] && delim=$'\t'
        local n split=_tally_split_header
        ((tsv)) && split=_tally_split_tsv
        while IFS= read -r n; do
            names+=("$n")
        done < <("$split" "$line" "$delim")
        if ((noheader)); then
            local i count=${#names[@]}
            names=()
            for ((i = 1; i <= count; i++)); do
                names+=("$i")
            done
        fi
    fi
    for n in "${names[@]}"; do
        if [[ $n =~ ^[A-Za-z_][A-Za-z0-9_]*$ || $n =~ ^[0-9]+$ ]]; then
            printf '%s\n' "$n"
        else
            printf '`%s`\n' "${n//\`/\`\`}"
        fi
    done
}

# _tally_add PREFIX WORD CANDIDATE...: adds PREFIX+CANDIDATE to COMPREPLY for
# each candidate that starts with WORD (`user agent` also matches "us").
_tally_add()
{
    local prefix=$1 word=$2 c
    shift 2
    for c in "$@"; do
        [[ $c == "$word"* || ($word != \`* && $c == \`"$word"*) ]] && COMPREPLY+=("$prefix$c")
    done
}

_tally()
{
    COMPREPLY=()
    local cword=${COMP_CWORD:-0}
    local -a words=()
    local i w

    # Readline splits "--output=js" and "sum:by" at = and :, by
    # COMP_WORDBREAKS. Glue those pieces back into shell words.
    for ((i = 0; i <= cword && i < ${#COMP_WORDS[@]}; i++)); do
        w=${COMP_WORDS[i]}
        if ((i > 1)) && [[ $w =~ ^[=:]+$ || ${COMP_WORDS[i - 1]} =~ ^[=:]+$ ]]; then
            words[${#words[@]} - 1]+=$w
        else
            words+=("$w")
        fi
    done
    ((cword >= ${#COMP_WORDS[@]})) && words+=("")
    local cur=${words[${#words[@]} - 1]}
    local prev=""
    ((${#words[@]} > 1)) && prev=${words[${#words[@]} - 2]}
    local -a before=("${words[@]:1:${#words[@]}-2}")
    local -a after=("${COMP_WORDS[@]:cword+1}")

    # Which option's value is being completed, and what precedes the value
    # inside the current word (--output=, -o when written -ojson).
    local opt="" lead=""
    case $prev in
        -[Fdsgawoj] | --format | --delimiter | --log | --select | --group-by | --agg | --where | \
            --sort | --limit | --output | --threads | --max-record | --max-fields | --precision)
            opt=$prev
            ;;
    esac
    if [[ -z $opt ]]; then
        case $cur in
            --*=*)
                opt=${cur%%=*}
                lead=$opt=
                cur=${cur#*=}
                ;;
            -[Fdsgawo]?*)
                opt=${cur:0:2}
                lead=$opt
                cur=${cur:2}
                ;;
        esac
    fi

    local -a cols=()
    case $opt in
        -s | --select | -g | --group-by | -a | --agg | --sort)
            while IFS= read -r w; do
                cols+=("$w")
            done < <(_tally_columns "${words[@]:1}" "${after[@]}")
            ;;
    esac

    local head=${cur%"${cur##*,}"} item=${cur##*,}
    case $opt in
        -F | --format) _tally_add "$lead" "$cur" csv tsv log ;;
        -o | --output) _tally_add "$lead" "$cur" $_tally_formats ;;
        --log) _tally_add "$lead" "$cur" $_tally_presets ;;
        -d | --delimiter) _tally_add "$lead" "$cur" , ';' '|' '\t' ;;
        --precision) _tally_add "$lead" "$cur" 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 ;;
        -s | --select) _tally_add "$lead$head" "$item" "${cols[@]}" ;;
        -g | --group-by)
            if [[ $item == */* ]]; then
                local col=${item%/*}
                _tally_add "$lead$head$col/" "${item##*/}" 10 100 1000 30s 1m 5m 15m 1h 1d
            else
                _tally_add "$lead$head" "$item" "${cols[@]}"
            fi
            ;;
        -a | --agg)
            local name=""
            [[ $item == *=* ]] && name=${item%%=*}= && item=${item#*=}
            if [[ $item == *:* ]]; then
                _tally_add "$lead$head$name${item%%:*}:" "${item#*:}" "${cols[@]}"
            else
                local f
                for f in $_tally_aggs; do
                    [[ $f == "$item"* ]] || continue
                    COMPREPLY+=("$lead$head$name$f" "$lead$head$name$f:")
                done
            fi
            ;;
        --sort)
            # Output columns: the group keys as written and the aggregates'
            # names (count, FUNC_COL, NAME); or the -s columns; or, for a
            # plain filter, the input's columns.
            local -a keys=() sel=() other=("${before[@]}" "${after[@]}")
            local a hasagg=0 hasgroup=0
            for ((i = 0; i < ${#other[@]}; i++)); do
                w=${other[i]}
                a=""
                case $w in
                    -g | --group-by) keys+=(${other[i + 1]//,/ }) hasgroup=1 ;;
                    --group-by=*) keys+=(${w#*=}) hasgroup=1 ;;
                    -g?*) keys+=(${w#-g}) hasgroup=1 ;;
                    -s | --select) sel+=(${other[i + 1]//,/ }) ;;
                    --select=*) sel+=(${w#*=}) ;;
                    -s?*) sel+=(${w#-s}) ;;
                    -a | --agg) a=${other[i + 1]} ;;
                    --agg=*) a=${w#*=} ;;
                    -a?*) a=${w#-a} ;;
                esac
                [[ -n $a ]] || continue
                hasagg=1
                local IFS=,
                for w in $a; do
                    if [[ $w == *=* ]]; then
                        keys+=("${w%%=*}")
                    elif [[ $w == *:* ]]; then
                        keys+=("${w%%:*}_${w#*:}")
                    elif [[ $w =~ ^([a-z0-9.]+)\((.*)\)$ ]]; then
                        keys+=("${BASH_REMATCH[1]}_${BASH_REMATCH[2]}")
                    else
                        keys+=("$w")
                    fi
                done
                unset IFS
            done
            if ((hasgroup && !hasagg)); then
                keys+=(count)
            elif ((!hasgroup && !hasagg)); then
                keys=("${sel[@]}")
                ((${#sel[@]})) || keys=("${cols[@]}")
            fi
            # Each name once, first place kept.
            local -A seen=()
            local -a uniq=()
            for w in "${keys[@]}"; do
                [[ -n ${seen[$w]:-} ]] && continue
                seen[$w]=1
                uniq+=("$w")
            done
            keys=("${uniq[@]}")
            if [[ $item == *:* ]]; then
                _tally_add "$lead$head${item%%:*}:" "${item#*:}" desc
            else
                _tally_add "$lead$head" "$item" "${keys[@]}"
            fi
            ;;
        -w | --where | -j | --threads | --limit | --max-record | --max-fields) ;;
        *)
            if [[ $cur == -* ]]; then
                _tally_add "" "$cur" $_tally_long_opts $_tally_short_opts
            else
                while IFS= read -r w; do
                    COMPREPLY+=("$w")
                done < <(compgen -f -- "$cur")
                compopt -o filenames 2>/dev/null
                return 0
            fi
            ;;
    esac

    # Readline replaces only the text after the last COMP_WORDBREAKS
    # character (= and : by default): drop what comes before it, and quote
    # what the shell would split.
    local word=${COMP_WORDS[cword]:-}
    [[ $word =~ ^[=:]+$ ]] && word=""
    local full=$lead$cur cut=0
    [[ $full == *"$word" ]] && cut=$((${#full} - ${#word}))
    for i in "${!COMPREPLY[@]}"; do
        w=${COMPREPLY[i]:cut}
        if [[ $w == *[!A-Za-z0-9_,.:=/+%@-]* ]]; then
            w=$(printf '%q' "$w")
            w=${w//\\,/,}
        fi
        COMPREPLY[i]=$w
    done
    local last=${COMPREPLY[0]:-}
    if [[ ${#COMPREPLY[@]} -eq 1 && ($last == *[:=,/] || $last == --*=) ]]; then
        compopt -o nospace 2>/dev/null
    fi
    return 0
}

complete -F _tally tally
