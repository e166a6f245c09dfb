"""The Discord adapter (discord.py 2.x): app commands from the declarations, the chat port.

Files: adapter.py (lifecycle, intents, shards), client.py (the discord.py client subclass),
commands.py (declarations -> app commands), components.py (persistent buttons and selects),
inbound.py (payload -> neutral event, pure), render.py (neutral message -> Discord objects,
pure), respond.py (answering interactions within 3 s), outbound.py (the ChatPort), pacing.py
(rate limiter, timeouts, 503 retries), sync.py (command sync only when the set changed),
cli.py (`studybot discord sync | invite-url`).
"""
