/* daily.csv and ports.csv: the data behind the daily-share and port charts. */
#include <inttypes.h>

#include "../util/timefmt.h"
#include "csv_out.h"
#include "report.h"

int report_write_daily_csv(FILE *out, const struct report_input *in)
{
    const struct figure_data *fig = in->fig;
    int tools[FP_MAX_TOOLS];
    size_t n = report_tools_by_syn(in, tools, true);
    fputs("date,tool,syn_packets,sources,share\n", out);
    char date[16];
    for (size_t d = 0; d < fig->n_days; d++) {
        format_day(fig->first_day + (int32_t)d, date, sizeof date);
        for (size_t i = 0; i < n; i++) {
            size_t k = d * fig->n_tools + (size_t)tools[i];
            uint64_t syn = fig->day_tool_syn[k];
            fprintf(out, "%s,%s,%" PRIu64 ",%" PRIu64 ",%.6f\n", date,
                    fprules_tool_name(in->rules, tools[i]), syn, fig->day_tool_sources[k],
                    fig->day_syn[d] ? (double)syn / (double)fig->day_syn[d] : 0.0);
        }
    }
    return ferror(out) ? -1 : 0;
}

int report_write_ports_csv(FILE *out, const struct report_input *in)
{
    const struct figure_data *fig = in->fig;
    fputs("date,tool,port,syn_packets\n", out);
    char date[16];
    int32_t date_of = 0;
    for (size_t i = 0; i < fig->n_ports; i++) {
        const struct port_count *p = &fig->ports[i];
        if (i == 0 || p->day != date_of) format_day(date_of = p->day, date, sizeof date);
        csv_put_field(out, date);
        csv_put_field(out, fprules_tool_name(in->rules, p->tool));
        csv_put_number(out, p->port);
        csv_put_last_number(out, p->syn_packets);
    }
    return ferror(out) ? -1 : 0;
}

int report_write_sensors_csv(FILE *out, const struct report_input *in)
{
    fputs("sensor,tool,syn_packets,share,sources,top_ports\n", out);
    for (size_t i = 0; in->sensors && i < in->sensors->n_rows; i++) {
        const struct sensor_row *r = &in->sensors->rows[i];
        fprintf(out, "%s,%s,%" PRIu64 ",%.6f,%" PRIu64 ",", r->sensor,
                fprules_tool_name(in->rules, r->tool), r->syn_packets, r->share, r->sources);
        for (size_t k = 0; k < r->n_top; k++)
            fprintf(out, "%s%u", k ? " " : "", r->top_port[k]);
        fputc('\n', out);
    }
    return ferror(out) ? -1 : 0;
}
