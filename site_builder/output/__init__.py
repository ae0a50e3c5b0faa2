"""Stage 5, output: the one guarded writer, the staging folder and its swap, and the lock on an output folder."""
