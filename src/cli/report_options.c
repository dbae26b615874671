/* Parsing of the report options and producing the report. */
#include "report_options.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/dayclock.h"
#include "../util/timefmt.h"
#include "commands.h"

#define NICTER_DARKNET_ADDRESSES 300000.0

const char report_options_help[] =
    "Period:\n"
    "      --tz ZONE             day boundaries in ZONE (e.g. Asia/Tokyo; default UTC)\n"
    "      --from DAY, --to DAY  only days DAY (YYYY-MM-DD, inclusive, in --tz)\n"
    "Output:\n"
    "  -o, --output DIR          write report.html, the figures (.svg), daily.csv, ports.csv,\n"
    "                            sources.csv and summary.json into DIR\n"
    "      --compare A,B         figure 3: tool A against B on A's top ports (default "
    "zmap,masscan)\n"
    "Analysis:\n"
    "      --min-consistency X   share of a source's probes its tool must match (default 0.5)\n"
    "      --research-packets N  research-scan rule: packets per day (default 300000)\n"
    "      --research-ports N    research-scan rule: destination ports per day (default 30)\n"
    "      --sensor-size N       addresses the sensor watches: scales --research-packets by\n"
    "                            N / 300000 (NICTER's darknet size)\n"
    "      --known FILE          known scanners: lines of CIDR,organisation,label\n"
    "                            (label: research, benign or malicious)\n"
    "      --exclude-outliers    leave the outliers (see the report) out of every figure\n"
    "      --outlier-share X     outlier: share of its day's SYN probes (default 0.2)\n"
    "      --outlier-factor X    outlier: times the median daily SYN probes (default 3)\n"
    "      --exclude ADDR[@DAY..DAY]  leave a source out (on those days); repeatable\n"
    "Memory:\n"
    "      --max-memory MIB      keep the analysis within about MIB mebibytes: past the cap,\n"
    "                            packets of sources not yet seen on their day are left out\n"
    "                            and counted (exit status 3); the reports say from which day\n";

void report_options_init(struct report_options *r)
{
    analysis_options_defaults(&r->analysis);
    r->settings.time_zone = "UTC";
    r->from_day = INT32_MIN;
    r->to_day = INT32_MAX;
    r->research_packets = 300000;
    r->research_ports = 30;
}

static bool parse_number(const char *text, double min, double max, double *out)
{
    char *end;
    double v = strtod(text, &end);
    if (*end || end == text || !(v >= min && v <= max)) return false;
    *out = v;
    return true;
}

int report_option(struct report_options *r, int opt, const char *arg)
{
    char errbuf[SL_ERRBUF_SIZE];
    const char *bad = NULL;
    switch (opt) {
    case 'o':
        r->out_dir = arg;
        break;
    case OPT_MIN_CONSISTENCY:
        if (!parse_number(arg, 1e-9, 1, &r->analysis.verdict.min_consistency))
            bad = "--min-consistency takes a number in (0, 1]";
        break;
    case OPT_TZ:
        if (dayclock_set_zone(arg, errbuf) != SL_OK) bad = errbuf;
        r->settings.time_zone = arg;
        r->tz_given = true;
        break;
    case OPT_FROM:
        if (!parse_day(arg, &r->from_day)) bad = "--from takes a day as YYYY-MM-DD";
        r->settings.from = arg;
        break;
    case OPT_TO:
        if (!parse_day(arg, &r->to_day)) bad = "--to takes a day as YYYY-MM-DD";
        r->settings.to = arg;
        break;
    case OPT_RESEARCH_PACKETS:
        if (!parse_number(arg, 1, 1e15, &r->research_packets))
            bad = "--research-packets takes a positive number";
        break;
    case OPT_RESEARCH_PORTS:
        if (!parse_number(arg, 1, 65536, &r->research_ports))
            bad = "--research-ports takes 1-65536";
        break;
    case OPT_SENSOR_SIZE:
        if (!parse_number(arg, 1, 1e15, &r->sensor_size))
            bad = "--sensor-size takes a number of addresses";
        break;
    case OPT_KNOWN:
        r->known_path = arg;
        break;
    case OPT_EXCLUDE_OUTLIERS:
        r->analysis.exclude_outliers = true;
        break;
    case OPT_OUTLIER_SHARE:
        if (!parse_number(arg, 0, 1, &r->analysis.outliers.min_share))
            bad = "--outlier-share takes 0-1";
        break;
    case OPT_OUTLIER_FACTOR:
        if (!parse_number(arg, 0, 1e9, &r->analysis.outliers.min_factor))
            bad = "--outlier-factor takes a number >= 0";
        break;
    case OPT_EXCLUDE:
        if (r->analysis.n_exclusions == MAX_EXCLUSIONS)
            bad = "too many --exclude";
        else if (exclusion_parse(&r->exclusions[r->analysis.n_exclusions], arg, errbuf) != SL_OK)
            bad = errbuf;
        else
            r->analysis.n_exclusions++;
        break;
    case OPT_COMPARE:
        r->analysis.compare = arg;
        break;
    case OPT_MAX_MEMORY:
        if (!parse_max_memory(arg, &r->settings.max_memory_mib)) return -1;
        break;
    default:
        return 0;
    }
    if (bad) {
        fprintf(stderr, "scanlens: %s\n", bad);
        return -1;
    }
    return 1;
}

int report_options_finish(struct report_options *r)
{
    if (r->from_day > r->to_day) {
        fprintf(stderr, "scanlens: --from is after --to\n");
        return -1;
    }
    double packets = r->research_packets;
    if (r->sensor_size) packets = ceil(packets * r->sensor_size / NICTER_DARKNET_ADDRESSES);
    r->analysis.verdict.research_min_packets = (uint64_t)packets;
    r->analysis.verdict.research_min_ports = (uint32_t)r->research_ports;
    r->analysis.exclusions = r->exclusions;
    r->settings.research_min_packets = (uint64_t)packets;
    r->settings.research_min_ports = (uint32_t)r->research_ports;
    r->settings.sensor_size = (uint64_t)r->sensor_size;
    r->settings.outliers_excluded = r->analysis.exclude_outliers;
    r->settings.manual_exclusions = r->analysis.n_exclusions;
    r->settings.outlier_share = r->analysis.outliers.min_share;
    r->settings.outlier_factor = r->analysis.outliers.min_factor;
    return 0;
}

int report_options_prepare_output(const struct report_options *r)
{
    char errbuf[SL_ERRBUF_SIZE];
    if (!r->out_dir || report_dir_prepare(r->out_dir, errbuf) == SL_OK) return 0;
    fprintf(stderr, "scanlens: %s\n", errbuf);
    return -1;
}

void report_options_limit(const struct report_options *r, agg_t *agg)
{
    if (r->settings.max_memory_mib) agg_limit_memory(agg, r->settings.max_memory_mib << 20);
}

bool report_options_cap_reached(const struct report_options *r, const agg_t *agg,
                                const char *sensor)
{
    if (!agg_refused(agg)) return false;
    char day[16];
    fprintf(stderr,
            "scanlens: --max-memory %llu reached%s%s%s: %llu packets that would have started a "
            "new (day, source) record were not counted, from %s on; take fewer days at once "
            "(--from/--to) or raise the cap\n",
            (unsigned long long)r->settings.max_memory_mib, sensor ? " (sensor " : "",
            sensor ? sensor : "", sensor ? ", for the comparison)" : "",
            (unsigned long long)agg_refused(agg),
            format_day(agg_refused_first_day(agg), day, sizeof day));
    return true;
}

int produce_report(struct report_options *r, const agg_t *agg, const fprules_t *rules,
                   const known_list_t *known, const struct file_result *files, size_t n_files,
                   const struct netset *sensor, const struct sensor_comparison *sensors)
{
    char errbuf[SL_ERRBUF_SIZE];
    r->analysis.verdict.sensor = sensor;
    r->analysis.verdict.known = known;
    struct analysis_result res;
    if (analysis_run(&res, agg, rules, &r->analysis, errbuf) != SL_OK) {
        fprintf(stderr, "scanlens: %s\n", errbuf);
        return EXIT_FAILED;
    }
    int status = EXIT_OK;
    r->settings.compare_a = res.compare_a;
    r->settings.compare_b = res.compare_b;
    struct report_input rin = {
        .an = &res.an,
        .agg = agg,
        .rules = rules,
        .files = files,
        .n_files = n_files,
        .sensor = sensor,
        .version = SCANLENS_VERSION,
        .fig = &res.fig,
        .outliers = res.outliers,
        .n_outliers = res.n_outliers,
        .known = known,
        .settings = &r->settings,
        .sensors = sensors,
    };
    report_write_text(stdout, &rin);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "scanlens: writing the summary to standard output failed: %s\n",
                strerror(errno));
        status = EXIT_FAILED;
    }
    if (r->out_dir && report_write_dir(r->out_dir, &rin, errbuf) != SL_OK) {
        fprintf(stderr, "scanlens: %s\n", errbuf);
        status = EXIT_FAILED;
    }
    analysis_result_free(&res);
    return status;
}
