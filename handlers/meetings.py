"""`/lichhop`: the coming meetings and buttons to answer (or change one's answer); for the
secretary also counts and move/edit/cancel buttons."""

from __future__ import annotations

from core import meetings, moving
from core.messages import Button, Reply, buttons
from core.payloads import encode, int_part
from core.reminders import RSVP
from core.router import Request, Result
from core.texts import t, when_text
from db.models import RsvpAnswer

CANCEL = "mcan"  # mcan:<meeting>[:y|n]
MOVE = "mmov"  # mmov:<meeting>
EDIT = "medt"  # medt:<meeting>[:place|agenda]
STOP = "mstp"  # mstp:<meeting>[:y|n]: stop a repeating meeting from this one on
ANSWERS = {RsvpAnswer.ATTEND: "answer_attend", RsvpAnswer.EXCUSED: "answer_excused"}


def _kind(view: meetings.MeetingView) -> str:
    return t(f"meeting_kind_{view.kind.value}")


def _answer_row(view: meetings.MeetingView, day: str) -> list[Button]:
    """The answers a member can change to: the reminder's list is gone on Zalo by then."""
    row = []
    if view.my_answer is not RsvpAnswer.ATTEND:
        row.append(Button(t("btn_attend_on", date=day), encode(RSVP, "y", view.id)))
    if view.my_answer is not RsvpAnswer.EXCUSED:
        row.append(Button(t("btn_leave_on", date=day), encode(RSVP, "n", view.id)))
    return row


async def schedule(req: Request) -> Result:
    views = await meetings.upcoming(req.services, req.incoming)
    leader = await meetings.is_leader(req.services, req.incoming)
    if not views:
        return Reply(t("schedule_empty_leader" if leader else "schedule_empty"))
    tz, now = req.services.config.timezone, req.services.clock.now()
    lines = [t("schedule_header")]
    rows: list[list[Button]] = []
    for v in views:
        when = when_text(v.starts_at, tz)
        lines.append(t("schedule_item", kind=_kind(v), when=when, place=v.place))
        answer = ANSWERS.get(v.my_answer, "answer_none") if v.my_answer else "answer_none"
        lines.append(t("schedule_my_answer", answer=t(answer)))
        day = v.starts_at.astimezone(tz).strftime("%d/%m")
        if v.starts_at > now:  # a meeting in progress takes no more answers
            rows.append(_answer_row(v, day))
        if leader:
            lines.append(t("schedule_counts", **v.counts))
            rows.append(
                [
                    Button(t("btn_move", date=day), encode(MOVE, v.id)),
                    Button(t("btn_edit", date=day), encode(EDIT, v.id)),
                    Button(t("btn_cancel_meeting", date=day), encode(CANCEL, v.id)),
                ]
            )
            if v.repeats:
                rows.append([Button(t("btn_stop_rule", date=day), encode(STOP, v.id))])
    return Reply("\n".join(lines), buttons(*rows))


async def cancel_button(req: Request) -> Result:
    meeting_id = int_part(req.parts, 0)
    answer = req.parts[1] if len(req.parts) > 1 else ""
    if answer == "n":
        return Reply(t("kept"), replace=True)
    if answer == "y":
        changed = await meetings.cancel(req.services, req.incoming, meeting_id)
        return Reply(t("meeting_cancelled_done", count=len(changed.reminded)), replace=True)
    view = await meetings.view_of(req.services, req.incoming, meeting_id)
    when = when_text(view.starts_at, req.services.config.timezone)
    return Reply(
        t("confirm_cancel_meeting", kind=_kind(view), when=when),
        buttons(
            [
                Button(t("btn_yes_cancel"), encode(CANCEL, meeting_id, "y")),
                Button(t("btn_keep"), encode(CANCEL, meeting_id, "n")),
            ]
        ),
    )


async def move_button(req: Request) -> Result:
    view = await moving.ask(req.services, req.incoming, int_part(req.parts, 0))
    return Reply(t("ask_new_time", kind=_kind(view)))


async def move_typed(req: Request) -> Result:
    changed = await moving.typed(req.services, req.incoming, req.incoming.text or "")
    when = when_text(changed.meeting.starts_at, req.services.config.timezone)
    return Reply(t("meeting_moved_done", when=when, count=len(changed.reminded)))


async def edit_button(req: Request) -> Result:
    meeting_id = int_part(req.parts, 0)
    field_name = req.parts[1] if len(req.parts) > 1 else ""
    if not field_name:
        view = await meetings.view_of(req.services, req.incoming, meeting_id)
        when = when_text(view.starts_at, req.services.config.timezone)
        return Reply(
            t("ask_edit_what", kind=_kind(view), when=when),
            buttons(
                [
                    Button(t("btn_edit_place"), encode(EDIT, meeting_id, "place")),
                    Button(t("btn_edit_agenda"), encode(EDIT, meeting_id, "agenda")),
                    Button(t("btn_edit_document_url"), encode(EDIT, meeting_id, "document_url")),
                ]
            ),
        )
    await moving.ask(req.services, req.incoming, meeting_id, field_name)
    return Reply(t(f"ask_new_{field_name}"), replace=True)


async def edit_typed(req: Request) -> Result:
    changed = await moving.edit_typed(req.services, req.incoming, req.incoming.text or "")
    return Reply(t("meeting_edited_done", count=len(changed.reminded)))


async def stop_button(req: Request) -> Result:
    meeting_id = int_part(req.parts, 0)
    answer = req.parts[1] if len(req.parts) > 1 else ""
    if answer == "n":
        return Reply(t("kept"), replace=True)
    if answer == "y":
        count = await meetings.stop_rule(req.services, req.incoming, meeting_id)
        return Reply(t("rule_stopped", count=count), replace=True)
    view = await meetings.view_of(req.services, req.incoming, meeting_id)
    if not view.repeats:
        return Reply(t("meeting_not_repeating"))
    when = when_text(view.starts_at, req.services.config.timezone)
    return Reply(
        t("confirm_stop_rule", when=when),
        buttons(
            [
                Button(t("btn_yes_stop"), encode(STOP, meeting_id, "y")),
                Button(t("btn_keep"), encode(STOP, meeting_id, "n")),
            ]
        ),
    )
