/* libFuzzer target: any text as a fingerprint rules file. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "classify/fprules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    fprules_t *rules = fprules_new();
    char *errors = NULL;
    fprules_parse(rules, text, "fuzz", &errors);
    free(errors);
    fprules_free(rules);
    free(text);
    return 0;
}
