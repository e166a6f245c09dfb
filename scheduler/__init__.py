"""Scheduled work: pure "what is due at t" questions, asked by APScheduler or a moved clock."""
