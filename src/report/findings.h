/* The study's kind of findings as plain sentences with their numbers, shared by the terminal
 * summary and the HTML report. */
#ifndef SCANLENS_FINDINGS_H
#define SCANLENS_FINDINGS_H

#include <stddef.h>

#include "report.h"

#define FINDING_LEN 320

/* Writes up to max sentences into lines; returns how many. */
size_t report_findings(const struct report_input *in, char (*lines)[FINDING_LEN], size_t max);

#endif
