"""The Slack adapter (slack-bolt AsyncApp): one `/studybot` command, Block Kit, Socket or HTTP.

Files: inbound.py (payload -> neutral event), mrkdwn.py + render.py (neutral -> Block Kit),
outbound.py (the ChatPort), replies.py (answering the member who acted), listeners.py (ack,
dispatch), users.py (names and admin flags), client.py (retries), pacing.py (fan-out pace),
manifest.py (the app manifests in deploy/), adapter.py (lifecycle), cli.py (`studybot slack`).
"""
