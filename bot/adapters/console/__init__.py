"""The local console: a terminal chat in a #study channel, for trying the bot and for scripts."""
