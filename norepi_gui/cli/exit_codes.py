"""The exit status of every ``norepi-gui`` subcommand, one meaning each (a leaf module: it imports nothing)."""

EXIT_OK = 0
EXIT_FAILURE = 1  # the command could not do its work (an address not listened on, a receiver not answering)
EXIT_BAD_INPUT = 2  # an option, a value or a file was refused: one line on stderr says which and what is accepted
EXIT_HARD_LIMIT = 3  # calc and advise: a dose above the protocol's hard limit
EXIT_BROKEN_PIPE = 141  # the reader of stdout went away (128 + SIGPIPE, as a shell reports a piped tool stopped)
