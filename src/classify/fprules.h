/* Fingerprint rules: the data file that says what each scanning tool's probes look like
 * (format in docs/fingerprints-format.md), its parser, and the per-packet matcher.
 * Rules are tried in file order; the first whose every condition holds names the tool. */
#ifndef SCANLENS_FPRULES_H
#define SCANLENS_FPRULES_H

#include <stddef.h>
#include <stdint.h>

#include "../decode/packet.h"

#define FP_MAX_TOOLS 32
#define TOOL_UNKNOWN 0 /* tool id 0 is always "unknown" */

typedef struct fprules fprules_t;

fprules_t *fprules_new(void);
void fprules_free(fprules_t *rules);

/* Parses rules text and appends its rules. `origin` names the text in messages ("file.conf").
 * Every problem is appended to *errors as "origin:line: message\n" (malloc'd, caller frees),
 * so a user sees all mistakes at once. Returns the number of problems (0 = all good). */
int fprules_parse(fprules_t *rules, const char *text, const char *origin, char **errors);
/* Reads a file and parses it as above; an unreadable file is one problem. */
int fprules_load_file(fprules_t *rules, const char *path, char **errors);
/* The rules shipped with scanlens (data/fingerprints.conf, compiled in). */
int fprules_load_builtin(fprules_t *rules, char **errors);
extern const char fprules_builtin_text[];

/* Sets p->tool and p->rule from the first matching rule, or TOOL_UNKNOWN and -1. */
void fprules_match(const fprules_t *rules, struct packet *p);

size_t fprules_count(const fprules_t *rules);
const char *fprules_rule_name(const fprules_t *rules, int rule);
const char *fprules_rule_text(const fprules_t *rules, int rule);
const char *fprules_rule_origin(const fprules_t *rules, int rule);
int fprules_rule_tool(const fprules_t *rules, int rule);
/* Matches a rule needs from one source before that source is called this rule's tool. */
uint32_t fprules_rule_min_packets(const fprules_t *rules, int rule);

/* Tool ids: 0 is "unknown"; the rest are numbered as the rules name them. */
size_t fprules_tool_count(const fprules_t *rules);
const char *fprules_tool_name(const fprules_t *rules, int tool);
int fprules_tool_id(const fprules_t *rules, const char *name); /* -1 if not known */

#endif
