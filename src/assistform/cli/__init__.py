"""The command line: the one boundary that prints errors and picks exit codes."""
