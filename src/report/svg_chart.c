/* The chart drawing. Geometry: a plot area with a legend on the right and date labels turned
 * 45 degrees below; y ticks at 1-2-5 steps. */
#include "svg_chart.h"

#include <math.h>
#include <string.h>

#define WIDTH 960
#define HEIGHT 430
#define LEFT 78
#define RIGHT 200
#define TOP 44
#define BOTTOM 80
#define PLOT_W (WIDTH - LEFT - RIGHT)
#define PLOT_H (HEIGHT - TOP - BOTTOM)

/* Alternating dark and light so neighbours differ in grey too; the last is for "other". */
static const char *const palette[] = {"#1f4e79", "#f28e2b", "#2e8b57", "#e8c547", "#7b3294",
                                      "#9ecae1", "#b2182b", "#a1d99b", "#404040", "#fdb863"};
static const char *const dashes[] = {"", "8 4", "2 3", "10 3 2 3", "4 4", "1 5", "12 6", "6 2 2 2"};
#define OTHER_COLOUR "#c8c8c8"

void xml_escape(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '&':
            fputs("&amp;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&#39;", out);
            break;
        default:
            fputc(*s, out);
        }
    }
}

static const char *colour(const struct chart *c, size_t i)
{
    if (c->series[i].name && !strcmp(c->series[i].name, "other")) return OTHER_COLOUR;
    return palette[i % (sizeof palette / sizeof palette[0])];
}

static double nice_step(double max, int ticks)
{
    double raw = max / ticks, mag = pow(10, floor(log10(raw))), f = raw / mag;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

static void format_tick(char *buf, size_t len, double v, bool percent)
{
    if (percent)
        snprintf(buf, len, "%g%%", round(v * 1000) / 10);
    else if (v >= 1e6)
        snprintf(buf, len, "%gM", v / 1e6);
    else if (v >= 1e4)
        snprintf(buf, len, "%gk", v / 1e3);
    else
        snprintf(buf, len, "%g", v);
}

/* Opens the SVG, draws title, axes, grid and x labels; returns the y scale maximum. */
static double frame(FILE *out, const struct chart *c, double max, size_t slots)
{
    if (max <= 0) max = c->percent ? 1 : 1;
    double step = nice_step(max, 5), top = ceil(max / step) * step;
    fprintf(out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
            "height=\"%d\" font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\" "
            "role=\"img\" aria-labelledby=\"%s-title\">\n",
            WIDTH, HEIGHT, WIDTH, HEIGHT, c->id);
    fprintf(out, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", WIDTH, HEIGHT);
    fprintf(out, "<text id=\"%s-title\" x=\"%d\" y=\"24\" font-size=\"16\" font-weight=\"bold\">",
            c->id, LEFT);
    xml_escape(out, c->title);
    fputs("</text>\n", out);
    for (double v = 0; v <= top + step / 2; v += step) {
        double y = TOP + PLOT_H - v / top * PLOT_H;
        char label[32];
        format_tick(label, sizeof label, v, c->percent);
        fprintf(out,
                "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#e0e0e0\"/>"
                "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                LEFT, LEFT + PLOT_W, y, y, LEFT - 6, y + 4, label);
    }
    fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#000\"/>\n", LEFT,
            LEFT + PLOT_W, TOP + PLOT_H, TOP + PLOT_H);
    fprintf(out, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#000\"/>\n", LEFT, LEFT,
            TOP, TOP + PLOT_H);
    fprintf(out, "<text transform=\"translate(18 %d) rotate(-90)\" text-anchor=\"middle\">",
            TOP + PLOT_H / 2);
    xml_escape(out, c->y_label);
    fputs("</text>\n", out);
    size_t every = slots > 16 ? (slots + 15) / 16 : 1;
    for (size_t i = 0; i < c->n_x; i += every) {
        double x = LEFT + (i + 0.5) * PLOT_W / (double)slots;
        fprintf(out, "<text transform=\"translate(%.1f %d) rotate(-45)\" text-anchor=\"end\">", x,
                TOP + PLOT_H + 14);
        xml_escape(out, c->x_labels[i]);
        fputs("</text>\n", out);
    }
    return top;
}

static void legend(FILE *out, const struct chart *c, bool lines)
{
    for (size_t i = 0; i < c->n_series; i++) {
        int y = TOP + 8 + (int)i * 20, x = LEFT + PLOT_W + 16;
        if (lines)
            fprintf(out,
                    "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" "
                    "stroke-width=\"3\" stroke-dasharray=\"%s\"/>\n",
                    x, x + 28, y, y, colour(c, i), dashes[i % 8]);
        else
            fprintf(out,
                    "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\" fill=\"%s\" "
                    "stroke=\"#333\" stroke-width=\"0.5\"/>\n",
                    x, y - 7, colour(c, i));
        fprintf(out, "<text x=\"%d\" y=\"%d\">", x + (lines ? 34 : 20), y + 4);
        xml_escape(out, c->series[i].name);
        fputs("</text>\n", out);
    }
}

void svg_line_chart(FILE *out, const struct chart *c)
{
    double max = 0;
    for (size_t s = 0; s < c->n_series; s++)
        for (size_t i = 0; i < c->n_x; i++)
            max = fmax(max, c->series[s].values[i]);
    double top = frame(out, c, max, c->n_x);
    for (size_t s = 0; s < c->n_series; s++) {
        fprintf(out,
                "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\" "
                "stroke-dasharray=\"%s\" points=\"",
                colour(c, s), dashes[s % 8]);
        for (size_t i = 0; i < c->n_x; i++)
            fprintf(out, "%.1f,%.1f ", LEFT + (i + 0.5) * PLOT_W / (double)c->n_x,
                    TOP + PLOT_H - c->series[s].values[i] / top * PLOT_H);
        fputs("\"/>\n", out);
    }
    legend(out, c, true);
    fputs("</svg>\n", out);
}

void svg_stacked_bars(FILE *out, const struct chart *c)
{
    double max = 0;
    for (size_t i = 0; i < c->n_x; i++) {
        double sum = 0;
        for (size_t s = 0; s < c->n_series; s++)
            sum += c->series[s].values[i];
        max = fmax(max, sum);
    }
    double top = frame(out, c, max, c->n_x);
    double slot = PLOT_W / (double)c->n_x, bar = slot * 0.8;
    for (size_t i = 0; i < c->n_x; i++) {
        double base = 0;
        for (size_t s = 0; s < c->n_series; s++) {
            double v = c->series[s].values[i];
            if (v <= 0) continue;
            double y = TOP + PLOT_H - (base + v) / top * PLOT_H, h = v / top * PLOT_H;
            fprintf(out,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                    "stroke=\"#fff\" stroke-width=\"0.6\"><title>",
                    LEFT + i * slot + (slot - bar) / 2, y, bar, h, colour(c, s));
            xml_escape(out, c->x_labels[i]);
            fprintf(out, " %s: %.0f</title></rect>\n", c->series[s].name, v);
            base += v;
        }
    }
    legend(out, c, false);
    fputs("</svg>\n", out);
}

void svg_grouped_bars(FILE *out, const struct chart *c)
{
    double max = 0;
    for (size_t s = 0; s < c->n_series; s++)
        for (size_t i = 0; i < c->n_x; i++)
            max = fmax(max, c->series[s].values[i]);
    double top = frame(out, c, max, c->n_x);
    double slot = PLOT_W / (double)c->n_x,
           bar = slot * 0.8 / (double)(c->n_series ? c->n_series : 1);
    for (size_t i = 0; i < c->n_x; i++)
        for (size_t s = 0; s < c->n_series; s++) {
            double v = c->series[s].values[i], h = v / top * PLOT_H;
            double x = LEFT + i * slot + slot * 0.1 + s * bar;
            fprintf(out,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" "
                    "stroke=\"#333\" stroke-width=\"0.5\"><title>%s: %.0f</title></rect>\n",
                    x, TOP + PLOT_H - h, bar, h, colour(c, s), c->series[s].name, v);
            fprintf(
                out,
                "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"10\">%.0f</text>\n",
                x + bar / 2, TOP + PLOT_H - h - 3, v);
        }
    legend(out, c, false);
    fputs("</svg>\n", out);
}
