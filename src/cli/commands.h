/* The subcommands; each takes its own argv (argv[0] is the command name) and returns the
 * process exit code. */
#ifndef SCANLENS_COMMANDS_H
#define SCANLENS_COMMANDS_H

#define SCANLENS_VERSION "0.1.0"

int cmd_analyze(int argc, char **argv);
int cmd_packets(int argc, char **argv);
int cmd_fingerprints(int argc, char **argv);
int cmd_ingest(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_capture(int argc, char **argv);

#endif
