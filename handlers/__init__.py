"""Feature handlers, registered in one place and one order."""

from __future__ import annotations

from core import duty_reports, moving, onboarding, scheduling, selfcheck_render
from core import duty_wizard as core_duty_wizard
from core import flags as core_flags
from core import rsvp as core_rsvp
from core import selfcheck as core_selfcheck
from core.context import Services
from core.policy import Audience
from core.reminders import RSVP
from core.router import CommandSpec, Router
from handlers import (
    announcements,
    attendance,
    cancel,
    channels,
    committee,
    duties,
    duty_wizard,
    events,
    flags,
    guide,
    invite,
    meetings,
    reports,
    roster,
    rsvp,
    schedule,
    selfcheck,
    start,
    status,
)


def build_router(services: Services) -> Router:
    router = Router(
        services,
        flow_lookup=onboarding.waiting_flow,
        event_handler=events.on_event,
        fallback=start.typed,
    )
    # Everyone.
    router.command(CommandSpec("start", "cmd_start", Audience.MEMBER, listed=False), start.start)
    router.command(
        CommandSpec("trogiup", "cmd_trogiup", Audience.MEMBER, aliases=("help",)),
        guide.make_help(router.specs),
    )
    router.command(CommandSpec("huy", "cmd_huy", Audience.MEMBER), cancel.cancel)
    router.command(CommandSpec("lichhop", "cmd_lichhop", Audience.MEMBER), meetings.schedule)
    router.command(CommandSpec("kenh", "cmd_kenh", Audience.MEMBER), channels.show)
    router.command(CommandSpec("tukiemtra", "cmd_tukiemtra", Audience.MEMBER), selfcheck.start)
    router.command(CommandSpec("nhiemvu", "cmd_nhiemvu", Audience.MEMBER), duties.mine)
    # Secretary and deputy.
    router.command(CommandSpec("moi", "cmd_moi", Audience.SECRETARY), invite.invite)
    router.command(CommandSpec("dangvien", "cmd_dangvien", Audience.SECRETARY), roster.roster)
    router.command(CommandSpec("taohop", "cmd_taohop", Audience.SECRETARY), schedule.begin)
    router.command(CommandSpec("diemdanh", "cmd_diemdanh", Audience.SECRETARY), attendance.take)
    router.command(CommandSpec("giaoviec", "cmd_giaoviec", Audience.SECRETARY), duty_wizard.begin)
    router.command(CommandSpec("theodoi", "cmd_theodoi", Audience.SECRETARY), flags.follow_ups)
    # Buttons, by payload prefix.
    router.button(start.JOIN, start.join_button)
    router.button(start.DECIDE, start.decide_button)
    router.button(invite.PICK, invite.invite_member)
    router.button(invite.PAGE, invite.invite_page)
    router.button(RSVP, rsvp.answer_button)
    router.button(rsvp.REASON, rsvp.reason_button)
    router.button(rsvp.OPINION, rsvp.opinion_button)
    router.button(rsvp.DONE, rsvp.done_button)
    router.button(schedule.WIZ, schedule.chose)
    router.button(schedule.DONE, schedule.finish)
    router.button(meetings.CANCEL, meetings.cancel_button)
    router.button(meetings.MOVE, meetings.move_button)
    router.button(meetings.EDIT, meetings.edit_button)
    router.button(meetings.STOP, meetings.stop_button)
    router.button(attendance.MARK, attendance.mark)
    router.button(attendance.PAGE, attendance.page)
    router.button(channels.CHANNEL, channels.pressed)
    router.button(selfcheck_render.BEGIN, selfcheck.begin)
    router.button(selfcheck_render.ANSWER, selfcheck.answer)
    router.button(selfcheck_render.SHOW, selfcheck.show)
    router.button(selfcheck_render.SKIP, selfcheck.skip)
    router.button(selfcheck_render.SUBMIT, selfcheck.submit)
    router.button(selfcheck_render.HISTORY, selfcheck.history)
    router.button(core_flags.CONTACTED, flags.contacted)
    router.button(core_flags.NOTE, flags.note)
    router.button(duty_wizard.WIZ, duty_wizard.chose)
    router.button(duty_wizard.PAGE, duty_wizard.page)
    router.button(duty_wizard.DONE, duty_wizard.finish)
    router.button(duties.OPEN, duties.show)
    router.button(duties.REPORT, duties.ask_report)
    router.button(duty_reports.DECIDE, duties.decide)
    # Free text while a flow waits for it.
    router.flow(onboarding.JOIN_FLOW, start.name_typed)
    router.flow(core_rsvp.FLOW, rsvp.typed)
    router.flow(scheduling.FLOW, schedule.typed)
    router.flow(moving.FLOW, meetings.move_typed)
    router.flow(moving.EDIT_FLOW, meetings.edit_typed)
    router.flow(core_selfcheck.FLOW, selfcheck.typed)
    router.flow(core_flags.FLOW, flags.note_typed)
    router.flow(core_duty_wizard.FLOW, duty_wizard.typed)
    router.flow(duty_reports.FLOW, duties.report_typed, files=True)
    router.flow(duty_reports.RETURN_FLOW, duties.comment_typed)
    # Status, reports, announcements, the committee (each module registers its own).
    status.register(router)
    reports.register(router)
    announcements.register(router)
    committee.register(router)
    return router
