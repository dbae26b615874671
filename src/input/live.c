/* libpcap live capture and raw pcap rotation. */
#include "live.h"

#include <pcap/pcap.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../decode/linktypes.h"
#include "../util/error.h"

struct live {
    pcap_t *pcap;
    uint16_t linktype;
    struct live_options opt;
    pcap_dumper_t *dumper;
    time_t file_started;
    char current[4096]; /* name of the file being written */
    unsigned same_name; /* files already written under that name in this run (-C) */
    void (*fn)(void *, const struct frame *);
    void *ctx;
};

/* libpcap speaks DLT_ values; the decoders speak LINKTYPE_ values, which differ for raw IP. */
static uint16_t dlt_to_linktype(int dlt)
{
    return dlt == DLT_RAW ? LINKTYPE_RAW : (uint16_t)dlt;
}

static int open_output(live_t *l, time_t now, char *errbuf)
{
    if (!l->opt.write_pattern) return SL_OK;
    if (l->dumper) pcap_dump_close(l->dumper);
    char name[4096];
    struct tm tm;
    localtime_r(&now, &tm);
    if (!strftime(name, sizeof name, l->opt.write_pattern, &tm))
        snprintf(name, sizeof name, "%s", l->opt.write_pattern);
    l->dumper = pcap_dump_open(l->pcap, name);
    l->file_started = now;
    if (!l->dumper)
        return sl_error(errbuf, SL_ERR_IO, "-w %s: %s (capture goes on without raw files)", name,
                        pcap_geterr(l->pcap));
    return SL_OK;
}

int live_open(live_t **out, const struct live_options *opt, char *errbuf)
{
    *out = NULL;
    live_t *l = calloc(1, sizeof *l);
    if (!l) return sl_error(errbuf, SL_ERR_NOMEM, "out of memory");
    l->opt = *opt;
    char pcap_err[PCAP_ERRBUF_SIZE] = "";
    l->pcap = pcap_create(opt->interface, pcap_err);
    int rc = SL_OK;
    if (!l->pcap) {
        rc = sl_error(errbuf, SL_ERR_IO, "%s: %s", opt->interface, pcap_err);
    } else {
        pcap_set_snaplen(l->pcap, 262144);
        pcap_set_promisc(l->pcap, opt->promiscuous);
        pcap_set_timeout(l->pcap, 200);
        if (opt->buffer_mib > 0) pcap_set_buffer_size(l->pcap, opt->buffer_mib << 20);
        int status = pcap_activate(l->pcap);
        if (status < 0)
            rc = sl_error(errbuf, SL_ERR_IO, "%s: cannot capture: %s", opt->interface,
                          status == PCAP_ERROR ? pcap_geterr(l->pcap) : pcap_statustostr(status));
    }
    if (rc == SL_OK && pcap_setnonblock(l->pcap, 1, pcap_err) != 0)
        rc = sl_error(errbuf, SL_ERR_IO, "%s: %s", opt->interface, pcap_err);
    if (rc == SL_OK && opt->filter && *opt->filter) {
        struct bpf_program prog;
        if (pcap_compile(l->pcap, &prog, opt->filter, 1, PCAP_NETMASK_UNKNOWN) != 0 ||
            pcap_setfilter(l->pcap, &prog) != 0)
            rc = sl_error(errbuf, SL_ERR_USAGE, "filter '%s': %s", opt->filter,
                          pcap_geterr(l->pcap));
        else
            pcap_freecode(&prog);
    }
    if (rc == SL_OK) {
        l->linktype = dlt_to_linktype(pcap_datalink(l->pcap));
        if (!linktype_supported(l->linktype))
            rc =
                sl_error(errbuf, SL_ERR_UNSUPPORTED, "%s: link type %u is not one scanlens decodes",
                         opt->interface, l->linktype);
    }
    if (rc == SL_OK) rc = open_output(l, time(NULL), errbuf);
    if (rc != SL_OK) {
        live_close(l);
        return rc;
    }
    *out = l;
    return SL_OK;
}

void live_close(live_t *l)
{
    if (!l) return;
    if (l->dumper) pcap_dump_close(l->dumper);
    if (l->pcap) pcap_close(l->pcap);
    free(l);
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    live_t *l = (live_t *)user;
    if (l->dumper) pcap_dump((u_char *)l->dumper, h, bytes);
    struct frame f = {
        .data = bytes,
        .caplen = h->caplen,
        .wirelen = h->len,
        .ts_ns = (int64_t)h->ts.tv_sec * 1000000000 + (int64_t)h->ts.tv_usec * 1000,
        .linktype = l->linktype,
        .interface = 0,
    };
    l->fn(l->ctx, &f);
}

int live_dispatch(live_t *l, void (*fn)(void *, const struct frame *), void *ctx, char *errbuf)
{
    l->fn = fn;
    l->ctx = ctx;
    /* libpcap's read timeout does not fire while no packet arrives (TPACKET_V3), so wait here,
     * non-blocking, so that a quiet interface still gets its periodic flushes */
    int fd = pcap_get_selectable_fd(l->pcap);
    if (fd >= 0) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        if (poll(&pfd, 1, 200) == 0) return 0;
    }
    int n = pcap_dispatch(l->pcap, -1, on_packet, (u_char *)l);
    if (n == PCAP_ERROR)
        return sl_error(errbuf, SL_ERR_IO, "%s: %s", l->opt.interface, pcap_geterr(l->pcap));
    if (n == PCAP_ERROR_BREAK) n = 0;
    if (l->dumper) {
        pcap_dump_flush(l->dumper);
        time_t now = time(NULL);
        if ((l->opt.rotate_seconds > 0 && now - l->file_started >= l->opt.rotate_seconds) ||
            (l->opt.rotate_mib > 0 && pcap_dump_ftell64(l->dumper) >= (int64_t)l->opt.rotate_mib
                                                                          << 20))
            open_output(l, now, errbuf);
    }
    return n;
}

void live_break(live_t *l)
{
    if (l && l->pcap) pcap_breakloop(l->pcap);
}

int live_stats(live_t *l, struct live_stats *st, char *errbuf)
{
    struct pcap_stat ps;
    if (pcap_stats(l->pcap, &ps) != 0)
        return sl_error(errbuf, SL_ERR_IO, "%s", pcap_geterr(l->pcap));
    st->received = ps.ps_recv;
    st->dropped_kernel = ps.ps_drop;
    st->dropped_interface = ps.ps_ifdrop;
    return SL_OK;
}

int live_reopen_output(live_t *l, char *errbuf)
{
    l->current[0] = '\0'; /* after logrotate moved the file, the same name starts afresh */
    return open_output(l, time(NULL), errbuf);
}
