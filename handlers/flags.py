"""Following up self-check flags: the contacted and note buttons on the leaders' notice, the
typed note, and `/theodoi` (the members with open flags and the suggestions)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from core import flags
from core.flags import CheckFlags, MemberFollowUp
from core.messages import Button, Reply, buttons
from core.payloads import encode, int_part
from core.router import Request, Result
from core.texts import local_date, t, when_text

FROM_LIST = "l"  # flc:<selfcheck>:l, pressed on the /theodoi list


def _flag_lines(check: CheckFlags) -> list[str]:
    lines = [
        t("sc_flag_line", topic=f.topic, answer=f.answer, kind=t(f"sc_flag_{f.kind}"))
        for f in check.lines
    ]
    if check.note:
        lines.append(t("flag_note_line", text=check.note))
    return lines


def card_reply(check: CheckFlags, tz: ZoneInfo, *, replace: bool) -> Reply:
    lines = [t("flag_card_title", label=check.period_label, name=check.member_name)]
    lines += _flag_lines(check)
    if check.contacted_at is not None:
        key = "flag_contacted_now" if check.newly_contacted else "flag_contacted_before"
        when = when_text(check.contacted_at, tz)
        lines.append(t(key, name=check.contacted_by or "", when=when))
    note = Button(t("flag_btn_note"), encode(flags.NOTE, check.selfcheck_id))
    return Reply("\n".join(lines), buttons([note]), replace=replace)


def list_reply(members: list[MemberFollowUp], tz: ZoneInfo) -> Reply:
    if not members:
        return Reply(t("flags_list_empty"))
    lines = [t("flags_list_title", count=len(members))]
    rows: list[list[Button]] = []
    for member in members:
        lines += ["", t("flags_member", name=member.name)]
        for check in member.checks:
            sent = local_date(check.flagged_at, tz)
            lines += [t("flags_period", label=check.period_label, date=sent), *_flag_lines(check)]
            label = t("flag_btn_contacted_for", name=member.name, label=check.period_label)
            rows.append([Button(label, encode(flags.CONTACTED, check.selfcheck_id, FROM_LIST))])
        if member.hints:
            lines.append(t("flags_hints_title"))
            lines += [t(hint.key, **hint.params) for hint in member.hints]
    lines += ["", t("flags_list_note")]
    return Reply("\n".join(lines), buttons(*rows))


async def contacted(req: Request) -> Result:
    check = await flags.mark_contacted(req.services, req.incoming, int_part(req.parts, 0))
    on_notice = req.parts[1:] != (FROM_LIST,)  # the notice is this card: edit it in place
    return card_reply(check, req.services.config.timezone, replace=on_notice)


async def note(req: Request) -> Result:
    check = await flags.ask_note(req.services, req.incoming, int_part(req.parts, 0))
    return Reply(t("flag_ask_note", name=check.member_name, limit=flags.NOTE_MAX))


async def note_typed(req: Request) -> Result:
    check = await flags.typed_note(req.services, req.incoming, req.incoming.text or "")
    return Reply(t("flag_note_saved", name=check.member_name, label=check.period_label))


async def follow_ups(req: Request) -> Result:
    members = await flags.follow_up_list(req.services, req.incoming)
    return list_reply(members, req.services.config.timezone)
