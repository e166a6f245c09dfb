"""StudyBot: runs study groups for machine-learning interviews on Discord, Slack and a console."""

__version__ = "0.1.0"
