/* tally: parse options, build the plan, run the pipeline, print what went
 * wrong, exit. The only file that prints diagnostics or exits. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tally/cli.h"
#include "tally/diag.h"
#include "tally/exec.h"
#include "tally/merge.h"
#include "tally/partial.h"
#include "tally/plan.h"
#include "tally/run.h"
#include "tally/status.h"

static int
exit_code(int status)
{
    switch (status) {
    case TALLY_OK:
    case TALLY_EPIPE:
    case TALLY_ESTOP:
        return 0;
    case TALLY_EUSAGE:
        return 2;
    default:
        return 1;
    }
}

static int
write_all(int fd, const char *s, size_t n)
{
    while (n) {
        ssize_t w = write(fd, s, n);
        if (w < 0)
            return -1;
        s += w;
        n -= (size_t)w;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    /* A closed pipe shows up as EPIPE from write(2), handled as a quiet end. */
    signal(SIGPIPE, SIG_IGN);

    struct tally_diag d;
    tally_diag_init(&d);
    struct tally_opts opts;
    int rc = tally_cli_parse(&opts, argc, argv, &d);
    if (rc == TALLY_OK && (opts.help || opts.version)) {
        const char *text = opts.help ? tally_cli_help() : "tally " TALLY_VERSION "\n";
        if (write_all(STDOUT_FILENO, text, strlen(text)) != 0) {
            tally_cli_fini(&opts);
            return 1;
        }
        tally_cli_fini(&opts);
        return 0;
    }

    struct tally_plan plan = {0};
    struct tally_report rep = {0};
    struct tally_pquery partial = {0};
    if (rc == TALLY_OK && opts.merge) {
        rc = tally_merge_run(&opts, STDOUT_FILENO, &rep, &d);
    } else if (rc == TALLY_OK) {
        rc = tally_plan_build(&plan, &opts, &d);
        struct tally_exec exec;
        if (rc == TALLY_OK) {
            tally_exec_init(&exec, &opts, STDOUT_FILENO);
            if (opts.partial) {
                tally_pquery_record(&partial, &opts);
                exec.partial = &partial;
            }
            rc = tally_run(&plan, &exec, opts.files, opts.nfiles, STDOUT_FILENO, &rep, &d);
        }
    }
    for (size_t i = 0; i < rep.n; i++)
        fprintf(stderr, "tally: %s\n", rep.lines[i]);
    if (rc != TALLY_OK && rc != TALLY_EPIPE && rc != TALLY_ESTOP)
        fprintf(stderr, "tally: %s\n", d.msg);
    tally_report_fini(&rep);
    tally_pquery_fini(&partial);
    tally_plan_fini(&plan);
    tally_cli_fini(&opts);
    return exit_code(rc);
}
