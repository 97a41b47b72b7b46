/* Host bundles for `weft run` (and later `serve`): the --host-bundle and
 * --host-config options and linking the loaded hosts (cli/run_hosts.c). */
#ifndef WEFT_CLI_RUN_HOSTS_H
#define WEFT_CLI_RUN_HOSTS_H

#include "weft.h"

typedef struct cli_hosts cli_hosts_t;

cli_hosts_t *cli_hosts_new(void);
/* Unloads the hosts: free after every instance linked to them. */
void cli_hosts_free(cli_hosts_t *h);
/* If argv[*i] is --host-bundle DIR|FILE.tar.gz (repeatable) or
 * --host-config FILE (repeatable), consume it and its value and return 1;
 * 0 if it is not one; -1 after printing an error. */
int cli_hosts_option(cli_hosts_t *h, int argc, char **argv, int *i);
/* Load the bundles and manifests given (in order) and define what they
 * serve to component c in l. 0 ok; else prints the error and returns 1. */
int cli_hosts_link(cli_hosts_t *h, weft_linker_t *l, const weft_component_t *c, const char *path);
/* Usage lines for the options. */
void cli_hosts_usage(void);

#endif
