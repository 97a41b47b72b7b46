/* Subcommands of the weft CLI. Each is a client of include/weft.h only. */
#ifndef WEFT_CLI_H
#define WEFT_CLI_H

/* argv[0] is the subcommand name; return the process exit status. */
int cli_run_main(int argc, char **argv);    /* cli/run.c:  weft run */
int cli_wast_main(int argc, char **argv);   /* cli/wast.c: weft wast */
int cli_wit_main(int argc, char **argv);      /* cli/wit.c: weft wit */
int cli_bindgen_main(int argc, char **argv);  /* cli/bindgen.c: weft bindgen */
int cli_bundle_main(int argc, char **argv);   /* cli/bundle.c: weft bundle */
int cli_serve_main(int argc, char **argv);    /* cli/serve.c: weft serve */

#endif
