/* scanlens capture: placeholder until the live capture lands (see below). */
#include <stdio.h>

#include "commands.h"
#include "options.h"

int cmd_capture(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "scanlens: capture is not built yet\n");
    return EXIT_FAILED;
}
