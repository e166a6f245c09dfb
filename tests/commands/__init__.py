"""Story tests of the command features, through the console."""
