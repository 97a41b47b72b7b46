/* --link DEP.wasm for weft run and weft serve (cli/run_link.c): components
 * whose exported interfaces serve the imports of the components after them
 * on the command line, linked at run time (docs/linking.md). */
#ifndef WEFT_CLI_RUN_LINK_H
#define WEFT_CLI_RUN_LINK_H

#include <stddef.h>

#include "run_hosts.h"
#include "weft.h"

typedef struct cli_links cli_links_t;       /* the DEP files and their components */
typedef struct cli_linkset cli_linkset_t;   /* one instance of each DEP */

cli_links_t *cli_links_new(void);
void cli_links_free(cli_links_t *k);        /* unloads too */
/* If argv[*i] is --link FILE (repeatable), consume it and its value and
 * return 1; 0 if it is not one; -1 after printing an error. */
int cli_links_option(cli_links_t *k, int argc, char **argv, int *i);
size_t cli_links_count(const cli_links_t *k);
/* Load every DEP as a component. 0 ok; else prints the error (naming the
 * file) and returns 1. */
int cli_links_load(cli_links_t *k, weft_engine_t *e);
/* Free the components (after every linkset made from them, before the
 * engine). */
void cli_links_unload(cli_links_t *k);
/* Define in l what the host bundles serve to every DEP (cli_hosts_link;
 * before cli_linkset_new, so that a DEP's definition wins). 0 ok; else
 * prints the error and returns 1. */
int cli_links_hosts(const cli_links_t *k, cli_hosts_t *hosts, weft_linker_t *l);
/* Instantiate every DEP in command-line order with linker l (which has
 * WASI and the hosts already), each DEP's instance imports served by the
 * one earlier DEP that exports it; then define in l, for each instance that
 * app imports, the one DEP exporting it. A DEP's definition wins over WASI
 * and the host bundles (it is defined under the importer's own name). NULL
 * on error, with the message (naming the files) in msg. l is changed:
 * calls with the same l must not overlap, and l serves one linkset (make
 * a linker per linkset). */
cli_linkset_t *cli_linkset_new(const cli_links_t *k, weft_linker_t *l, const weft_component_t *app,
                               const char *app_path, char *msg, size_t cap);
/* Frees the DEP instances in reverse order (after the app's instance,
 * before l). NULL ok. */
void cli_linkset_free(cli_linkset_t *s);
size_t cli_linkset_count(const cli_linkset_t *s);
weft_cinstance_t *cli_linkset_instance(const cli_linkset_t *s, size_t i);
/* app failed to link with message `why`: "APP: why", or with the DEP named
 * when `why` is about an import a DEP serves: "APP: with --link DEP: why". */
void cli_linkset_explain(const cli_linkset_t *s, const char *app_path, const char *why, char *msg, size_t cap);
/* Usage line for the option. */
void cli_links_usage(void);

#endif
