"""Peer mock-interview pairing rounds: /pair join, leave, status, history, skip, admin, setup.

Rounds run per channel (weekly by default). At the close everyone who joined is matched
(commands/pairing/matching.py), each pair or trio gets a private space with an introduction,
slots in each member's local time and questions for each interviewer; check-ins, reminders,
feedback and no-show rematches follow (jobs.py).
"""

from __future__ import annotations

from commands.pairing import handlers as h
from commands.pairing.jobs import JOBS
from commands.pairing.rounds import LEVELS, ROLES
from commands.pairing.schedule import FREQUENCIES
from commands.pairing.views import FEEDBACK_FORM, JOIN_FORM
from commands.spec import ActionSpec, CommandSpec, Feature, FormSpec, Option, OptionType

FEATURE = Feature(
    name="Mock-interview pairing",
    commands=[
        CommandSpec(
            "pair join",
            "Join this round's peer mock interviews (and later rounds).",
            h.cmd_join,
            options=(
                Option("level", "Your level", choices=LEVELS),
                Option("role", "Interviewer, interviewee or both", choices=ROLES),
                Option(
                    "availability",
                    'When you are free, your time: "Mon 18:00-20:00, Wed 07:00-09:00"',
                    max_length=300,
                ),
            ),
        ),
        CommandSpec("pair leave", "Leave the round and stop being entered in later ones.",
                    h.cmd_leave),
        CommandSpec("pair status", "Your sign-up, this round and your current partner.",
                    h.cmd_status),
        CommandSpec("pair history", "Your past mock interviews and feedback scores.",
                    h.cmd_history),
        CommandSpec("pair skip", "Sit out the next round without leaving.", h.cmd_skip),
        CommandSpec("pair admin", "Round settings and members' reliability.", h.cmd_admin,
                    admin=True),
        CommandSpec(
            "pair setup",
            "Set when rounds open, how often, and how long sessions are.",
            h.cmd_setup,
            admin=True,
            options=(
                Option("day", "Weekday rounds open", choices=h.DAY_CHOICES),
                Option("time", "Local time rounds open, HH:MM", max_length=5),
                Option("frequency", "How often", choices=tuple(FREQUENCIES)),
                Option("session_minutes", "Minutes per pair session", OptionType.INTEGER,
                       min_value=30, max_value=180),
            ),
        ),
    ],
    actions=[
        ActionSpec("pair.join", h.act_join, opens_form=True),
        ActionSpec("pair.prefs", h.act_prefs, opens_form=True),
        ActionSpec("pair.slot", h.act_slot),
        ActionSpec("pair.met", h.act_met),
        ActionSpec("pair.notyet", h.act_not_yet),
        ActionSpec("pair.noshow", h.act_no_show),
        ActionSpec("pair.fb", h.act_feedback, opens_form=True),
    ],
    forms=[FormSpec(JOIN_FORM, h.form_join), FormSpec(FEEDBACK_FORM, h.form_feedback)],
    jobs=JOBS,
)
