/* argv -> struct tally_opts with getopt_long. Checks the form of each value
 * (numbers, format names, one-byte delimiters); meaning is the plan's job. */
#include "tally/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tally/status.h"
#include "tally/xalloc.h"

/* Not a status: an option helper's "this option is not one of mine". */
#define NOT_MINE (-1)

enum {
    OPT_LOG = 256,
    OPT_STRICT,
    OPT_SORT,
    OPT_LIMIT,
    OPT_NO_HEADER_OUT,
    OPT_PROGRESS,
    OPT_NO_PROGRESS,
    OPT_MAX_RECORD,
    OPT_MAX_FIELDS,
    OPT_PRECISION,
    OPT_SHARD,
    OPT_PARTIAL,
    OPT_MERGE,
};

static const struct option long_opts[] = {
    {"format", required_argument, NULL, 'F'},
    {"delimiter", required_argument, NULL, 'd'},
    {"no-header", no_argument, NULL, 'n'},
    {"log", required_argument, NULL, OPT_LOG},
    {"strict", no_argument, NULL, OPT_STRICT},
    {"select", required_argument, NULL, 's'},
    {"group-by", required_argument, NULL, 'g'},
    {"agg", required_argument, NULL, 'a'},
    {"where", required_argument, NULL, 'w'},
    {"sort", required_argument, NULL, OPT_SORT},
    {"limit", required_argument, NULL, OPT_LIMIT},
    {"output", required_argument, NULL, 'o'},
    {"no-header-out", no_argument, NULL, OPT_NO_HEADER_OUT},
    {"precision", required_argument, NULL, OPT_PRECISION},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"partial", no_argument, NULL, OPT_PARTIAL},
    {"merge", no_argument, NULL, OPT_MERGE},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"threads", required_argument, NULL, 'j'},
    {"max-record", required_argument, NULL, OPT_MAX_RECORD},
    {"max-fields", required_argument, NULL, OPT_MAX_FIELDS},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

/* In parts: C11 promises string literals of 4095 bytes only. */
static const char help_input[] =
    "Usage: tally [OPTION]... [FILE]...\n"
    "Filter, select, group and aggregate CSV, TSV and log files in one streaming pass.\n"
    "With no FILE, or when FILE is -, read standard input. Several files are read\n"
    "in order as one stream (CSV/TSV: each must have the same header).\n"
    "\n"
    "Input:\n"
    "  -F, --format=csv|tsv|log   input format (default csv; tsv for *.tsv, *.tab)\n"
    "                             (tsv: a record per line, \\t \\n \\r \\\\ escapes,\n"
    "                             quotes literal; quoted TSV: -F csv -d '\\t')\n"
    "  -d, --delimiter=CHAR       CSV field delimiter (default ','; '\\t' for tab);\n"
    "                             a delimiter other than tab reads CSV whatever the\n"
    "                             file name\n"
    "  -n, --no-header            the first row is data; columns are 1, 2, ... ($1, $2)\n"
    "      --log=PRESET|REGEX     log lines: combined, common, syslog, or a PCRE2\n"
    "                             pattern whose named groups become the columns;\n"
    "                             implies -F log (-F csv|tsv, -d, -n conflict with it)\n"
    "      --strict               a malformed row is an error (exit 1) instead of\n"
    "                             being skipped and reported at the end\n"
    "      --max-record=BYTES     longest record accepted (default 1G)\n"
    "      --max-fields=N         most fields in a record (default 1048576)\n"
    "\n";

static const char help_query[] =
    "Query:\n"
    "  -s, --select=COLS          print these columns of each kept row\n"
    "  -g, --group-by=KEYS        group by these keys; COL/WIDTH buckets a number\n"
    "                             (latency_ms/100) or a timestamp (time/5m; s m h d)\n"
    "  -a, --agg=AGGS             aggregates: FUNC or FUNC:COL or FUNC(COL), renamed\n"
    "                             with NAME=FUNC:COL; -g alone counts rows\n"
    "  -w, --where=EXPR           keep rows where EXPR holds (repeatable: all must)\n"
    "      --sort=KEY[:desc],...  order the output by output columns\n"
    "      --limit=N              print at most N output rows (after sorting)\n"
    "\n"
    "Output:\n"
    "  -o, --output=FORMAT        table, csv, tsv, json, jsonl, markdown, chart\n"
    "                             (default table on a terminal, csv otherwise)\n"
    "      --no-header-out        omit the header line (csv, tsv, table)\n"
    "      --precision=N          significant digits (1-17, default 6) of computed\n"
    "                             non-integer values in table, markdown and chart;\n"
    "                             integer digits are never rounded away (csv, tsv,\n"
    "                             json keep the exact shortest form)\n"
    "      --progress, --no-progress\n"
    "                             progress bar on stderr (default: on a terminal,\n"
    "                             for large inputs)\n"
    "  -j, --threads=N            worker threads (default: number of cores)\n"
    "\n";

static const char help_machines[] =
    "More than one machine:\n"
    "      --shard=K/N            read only the K-th of N byte ranges of the input\n"
    "                             files, cut at record starts (every shard reads the\n"
    "                             header); the N shards see every record once\n"
    "      --partial              write the aggregation's mergeable partial state\n"
    "                             instead of the result\n"
    "      --merge                read partial states (files or stdin) instead of\n"
    "                             rows and print the combined result, exactly what\n"
    "                             one run over all the input prints (with --partial:\n"
    "                             write one combined partial)\n"
    "\n"
    "  -h, --help                 print this help and exit\n"
    "  -V, --version              print the version and exit\n"
    "\n"
    "Columns are header names, 1-based numbers, or `backticked names`.\n"
    "Aggregates: count, count:COL (non-empty values), sum, min, max, mean, stddev,\n"
    "var, median, pNN (p90, p99.9), distinct, first, last, mode.\n"
    "Output columns: the keys as written, then count or FUNC_COL (sum_bytes) or NAME.\n"
    "\n"
    "Filter expressions:\n"
    "  status >= 500 and path ~ \"^/api/\"\n"
    "  not (method in (\"GET\", \"HEAD\")) or `user agent` ~ \"(?i)bot\"\n"
    "  $3 != \"\" && bytes > 1e6\n"
    "Comparisons are numeric when both sides read as numbers, else byte-wise;\n"
    "on an empty or missing value they are false, except == \"\" and != \"\".\n"
    "\n"
    "Examples:\n"
    "  tally -g status -a count,sum:bytes,p99:latency_ms access.csv\n"
    "  zcat access.log.gz | tally --log=combined -g status\n"
    "  tally -w 'status >= 500' -s time,path -o json access.csv\n"
    "  tally -g path -a n=count --sort n:desc --limit 10 access.csv\n"
    "\n"
    "Exit status: 0 success (skipped rows reported on stderr), 1 data or runtime\n"
    "error, 2 usage error.\n";

const char *
tally_cli_help(void)
{
    static char text[sizeof help_input + sizeof help_query + sizeof help_machines];
    if (!text[0])
        snprintf(text, sizeof text, "%s%s%s", help_input, help_query, help_machines);
    return text;
}

static int
bad_value(struct tally_diag *d, const char *opt, const char *val, const char *want)
{
    return tally_diag_usage(d, "%s: %s, got \"%s\"\nTry 'tally --help' for more information.", opt,
                            want, val);
}

/* A count with an optional K/M/G suffix (powers of 1024). */
static bool
parse_size(const char *s, uint64_t *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return false;
    unsigned long long v = strtoull(s, &end, 10);
    uint64_t mul = 1;
    if (*end == 'K' || *end == 'k')
        mul = 1ull << 10;
    else if (*end == 'M' || *end == 'm')
        mul = 1ull << 20;
    else if (*end == 'G' || *end == 'g')
        mul = 1ull << 30;
    if (mul != 1)
        end++;
    if (*end || v == 0 || v > UINT64_MAX / mul)
        return false;
    *out = v * mul;
    return true;
}

static int
parse_delim(const char *s, char *out)
{
    if (strcmp(s, "\\t") == 0 || strcmp(s, "tab") == 0) {
        *out = '\t';
        return 1;
    }
    if (strlen(s) != 1 || s[0] == '"' || s[0] == '\n' || s[0] == '\r')
        return 0;
    *out = s[0];
    return 1;
}

static const char *
format_name(enum tally_input_format f)
{
    return f == TALLY_IN_TSV ? "tsv" : f == TALLY_IN_LOG ? "log" : "csv";
}

/* Input options that contradict each other are usage errors, whatever their
 * order: a later option must never silently undo an earlier one. --log
 * implies -F log; -d other than tab means CSV. */
static int
check_input(struct tally_opts *o, struct tally_diag *d)
{
    if (o->log) {
        if (o->format != TALLY_IN_AUTO && o->format != TALLY_IN_LOG)
            return tally_diag_usage(d,
                                    "--log reads log lines; it cannot be combined with --format=%s",
                                    format_name(o->format));
        if (o->delim)
            return tally_diag_usage(
                d, "--log reads log lines; it cannot be combined with --delimiter");
        if (o->no_header)
            return tally_diag_usage(d, "--log reads log lines, which have no header row; it cannot "
                                       "be combined with --no-header");
        o->format = TALLY_IN_LOG;
    }
    if (o->delim && o->delim != '\t') {
        if (o->format == TALLY_IN_TSV)
            return tally_diag_usage(d,
                                    "--format=tsv is tab-separated; it cannot be combined with "
                                    "--delimiter='%c' (use --format=csv)",
                                    o->delim);
        if (o->format == TALLY_IN_AUTO)
            o->format = TALLY_IN_CSV;
    }
    return TALLY_OK;
}

/* A decimal number from lo to hi and nothing else (no sign, no spaces). */
static bool
parse_range(const char *s, long long lo, long long hi, long long *out)
{
    char *end;
    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end || errno == ERANGE || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

/* Input and query options. Returns TALLY_OK, a usage error, or NOT_MINE. */
static int
input_or_query_option(struct tally_opts *o, int c, size_t *wcap, struct tally_diag *d)
{
    long long v;
    switch (c) {
    case 'F':
        if (strcmp(optarg, "csv") == 0)
            o->format = TALLY_IN_CSV;
        else if (strcmp(optarg, "tsv") == 0)
            o->format = TALLY_IN_TSV;
        else if (strcmp(optarg, "log") == 0)
            o->format = TALLY_IN_LOG;
        else
            return bad_value(d, "--format", optarg, "expected csv, tsv or log");
        return TALLY_OK;
    case 'd':
        if (!parse_delim(optarg, &o->delim))
            return bad_value(d, "--delimiter", optarg, "expected one character or '\\t'");
        return TALLY_OK;
    case 'n':
        o->no_header = true;
        return TALLY_OK;
    case OPT_LOG:
        o->log = optarg;
        return TALLY_OK;
    case OPT_STRICT:
        o->strict = true;
        return TALLY_OK;
    case 's':
        o->select = optarg;
        return TALLY_OK;
    case 'g':
        o->group_by = optarg;
        return TALLY_OK;
    case 'a':
        o->aggs = optarg;
        return TALLY_OK;
    case 'w':
        tally_xgrow((void **)&o->wheres, wcap, o->nwheres + 1, sizeof *o->wheres);
        o->wheres[o->nwheres++] = optarg;
        return TALLY_OK;
    case OPT_SORT:
        o->sort = optarg;
        return TALLY_OK;
    case OPT_LIMIT:
        if (!parse_range(optarg, 0, INT64_MAX, &v))
            return bad_value(d, "--limit", optarg, "expected a whole number");
        o->limit = v;
        return TALLY_OK;
    }
    return NOT_MINE;
}

/* Output and run options. Returns TALLY_OK, a usage error, or NOT_MINE. */
static int
output_or_run_option(struct tally_opts *o, int c, struct tally_diag *d)
{
    long long v;
    uint64_t size;
    switch (c) {
    case 'o':
        if (!tally_format_parse(optarg, &o->output))
            return bad_value(d, "--output", optarg,
                             "expected table, csv, tsv, json, jsonl, markdown or chart");
        o->output_set = true;
        return TALLY_OK;
    case OPT_NO_HEADER_OUT:
        o->no_header_out = true;
        return TALLY_OK;
    case OPT_PRECISION:
        if (!parse_range(optarg, 1, TALLY_PRECISION_MAX, &v))
            return bad_value(d, "--precision", optarg, "expected a number from 1 to 17");
        o->precision = (int)v;
        return TALLY_OK;
    case OPT_PROGRESS:
    case OPT_NO_PROGRESS:
        o->progress = c == OPT_PROGRESS;
        return TALLY_OK;
    case 'j':
        if (!parse_range(optarg, 1, 256, &v))
            return bad_value(d, "--threads", optarg, "expected a number from 1 to 256");
        o->threads = (int)v;
        return TALLY_OK;
    case OPT_MAX_RECORD:
        if (!parse_size(optarg, &o->max_record))
            return bad_value(d, "--max-record", optarg, "expected a size like 64M");
        return TALLY_OK;
    case OPT_MAX_FIELDS:
        if (!parse_size(optarg, &size) || size > UINT32_MAX)
            return bad_value(d, "--max-fields", optarg, "expected a number");
        o->max_fields = (uint32_t)size;
        return TALLY_OK;
    case 'h':
        o->help = true;
        return TALLY_OK;
    case 'V':
        o->version = true;
        return TALLY_OK;
    }
    return NOT_MINE;
}

/* --shard=K/N: 1 <= K <= N. */
static bool
parse_shard(const char *s, uint32_t *k, uint32_t *n)
{
    const char *slash = strchr(s, '/');
    if (!slash || slash - s > 10)
        return false;
    char kbuf[12];
    memcpy(kbuf, s, (size_t)(slash - s));
    kbuf[slash - s] = '\0';
    long long kv, nv;
    if (!parse_range(kbuf, 1, TALLY_SHARD_MAX, &kv) ||
        !parse_range(slash + 1, 1, TALLY_SHARD_MAX, &nv) || kv > nv)
        return false;
    *k = (uint32_t)kv;
    *n = (uint32_t)nv;
    return true;
}

/* Options of work spread over processes and machines. Returns TALLY_OK, a
 * usage error, or NOT_MINE. */
static int
distributed_option(struct tally_opts *o, int c, struct tally_diag *d)
{
    switch (c) {
    case OPT_SHARD:
        if (!parse_shard(optarg, &o->shard_k, &o->shard_n))
            return bad_value(d, "--shard", optarg, "expected K/N with 1 <= K <= N");
        return TALLY_OK;
    case OPT_PARTIAL:
        o->partial = true;
        return TALLY_OK;
    case OPT_MERGE:
        o->merge = true;
        return TALLY_OK;
    }
    return NOT_MINE;
}

/* --merge reads rows of no kind: it takes the query from its partials, or
 * checks them against the one given; a partial is the state of an
 * aggregation. */
static int
check_distributed(const struct tally_opts *o, struct tally_diag *d)
{
    if (o->merge) {
        const char *given = o->select ? "--select" : o->shard_n ? "--shard" : NULL;
        if (given)
            return tally_diag_usage(d, "--merge reads partial states; %s cannot be given with it",
                                    given);
        return TALLY_OK;
    }
    if (o->partial && !o->group_by && !o->aggs)
        return tally_diag_usage(d, "--partial writes the state of an aggregation; it needs "
                                   "--group-by or --agg");
    return TALLY_OK;
}

/* What getopt could not take: a missing value or an unknown option. */
static int
option_error(int c, char **argv, struct tally_diag *d)
{
    if (c == ':')
        return tally_diag_usage(d,
                                "option '%s' needs a value\n"
                                "Try 'tally --help' for more information.",
                                argv[optind - 1]);
    if (optopt)
        return tally_diag_usage(d,
                                "unknown option '-%c'\n"
                                "Try 'tally --help' for more information.",
                                optopt);
    return tally_diag_usage(d,
                            "unknown option '%s'\n"
                            "Try 'tally --help' for more information.",
                            argv[optind - 1]);
}

int
tally_cli_parse(struct tally_opts *o, int argc, char **argv, struct tally_diag *d)
{
    memset(o, 0, sizeof *o);
    o->limit = -1;
    o->progress = -1;
    size_t wcap = 0;
    opterr = 0;
    optind = 0; /* 0, not 1: glibc then also drops the state of an earlier parse */
    int c;
    while ((c = getopt_long(argc, argv, ":F:d:ns:g:a:w:o:j:hV", long_opts, NULL)) != -1) {
        int rc = input_or_query_option(o, c, &wcap, d);
        if (rc == NOT_MINE)
            rc = output_or_run_option(o, c, d);
        if (rc == NOT_MINE)
            rc = distributed_option(o, c, d);
        if (rc == NOT_MINE)
            rc = option_error(c, argv, d);
        if (rc != TALLY_OK)
            return rc;
    }
    o->files = argv + optind;
    o->nfiles = (size_t)(argc - optind);
    int rc = check_distributed(o, d);
    return rc == TALLY_OK ? check_input(o, d) : rc;
}

void
tally_cli_fini(struct tally_opts *o)
{
    free(o->wheres);
    o->wheres = NULL;
    o->nwheres = 0;
}
