/* SVG charts for the report: line chart, stacked bars, grouped bars. Self-contained SVG (no
 * scripts, fonts or images), labelled axes and legend, and series told apart by lightness,
 * dash pattern and marker so that a grey print still reads. */
#ifndef SCANLENS_SVG_CHART_H
#define SCANLENS_SVG_CHART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct chart_series {
    const char *name;
    const double *values; /* n_x values */
};

struct chart {
    const char *id; /* unique in a page: prefixes the SVG ids */
    const char *title;
    const char *y_label;
    const char *const *x_labels;
    size_t n_x;
    const struct chart_series *series;
    size_t n_series;
    bool percent; /* values are fractions; axis shows percent */
};

void svg_line_chart(FILE *out, const struct chart *c);
void svg_stacked_bars(FILE *out, const struct chart *c);
void svg_grouped_bars(FILE *out, const struct chart *c);

/* Writes text with <, >, & and quotes escaped for XML and HTML. */
void xml_escape(FILE *out, const char *text);

#endif
