"""The `jointduty` command: a dispatcher (`main`) and one module per command, each with a
`build_parser()` and a `main(args) -> exit status`; they parse and print, the tiers below do
the work. `common` holds the exit statuses, the one-line errors and the argparse parser."""
