"""The ``wordlight`` command line: one module per subcommand (add_parser + run)."""
