"""The platform-neutral kernel.

Nothing under bot/core, commands/ or scheduler/ may import discord, slack_bolt or slack_sdk;
tests/test_architecture.py enforces it.
"""
