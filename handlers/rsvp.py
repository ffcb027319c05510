"""Answering a reminder: will attend or ask leave, the reason, an opinion for the secretary."""

from __future__ import annotations

from core import rsvp
from core.messages import Button, Notice, Outcome, Reply, buttons
from core.payloads import PayloadError, encode, int_part, str_part
from core.router import Request, Result
from core.texts import t, when_text
from db.models import AbsenceReason

REASON = "rsvr"  # rsvr:<meeting>:<reason>
OPINION = "rsvo"  # rsvo:<meeting>: write an opinion
DONE = "rsvd"  # rsvd:<meeting>: no opinion


def _reason_buttons(meeting_id: int) -> Reply:
    rows = [
        [Button(t(f"reason_{r.value}"), encode(REASON, meeting_id, r.value))]
        for r in AbsenceReason
    ]
    return Reply(t("rsvp_ask_reason"), buttons(*rows))


def _offer_opinion(meeting_id: int, reason: str) -> Reply:
    return Reply(
        t("rsvp_excused_saved", reason=reason),
        buttons(
            [
                Button(t("btn_write_opinion"), encode(OPINION, meeting_id)),
                Button(t("btn_no_thanks"), encode(DONE, meeting_id)),
            ]
        ),
        replace=True,
    )


async def answer_button(req: Request) -> Result:
    verdict, meeting_id = str_part(req.parts, 0), int_part(req.parts, 1)
    if verdict not in ("y", "n"):
        raise PayloadError("unknown answer")
    ref = await rsvp.answer(req.services, req.incoming, meeting_id, attend=verdict == "y")
    if verdict == "y":
        tz = req.services.config.timezone
        return Reply(t("rsvp_attend_saved", when=when_text(ref.starts_at, tz)))
    return _reason_buttons(meeting_id)


async def reason_button(req: Request) -> Result:
    meeting_id = int_part(req.parts, 0)
    try:
        reason = AbsenceReason(str_part(req.parts, 1))
    except ValueError as exc:
        raise PayloadError("unknown reason") from exc
    await rsvp.give_reason(req.services, req.incoming, meeting_id, reason)
    if reason is AbsenceReason.OTHER:
        return Reply(t("rsvp_type_reason"), replace=True)
    return _offer_opinion(meeting_id, t(f"reason_{reason.value}"))


async def opinion_button(req: Request) -> Result:
    await rsvp.ask_opinion(req.services, req.incoming, int_part(req.parts, 0))
    return Reply(t("rsvp_type_opinion"), replace=True)


async def done_button(req: Request) -> Result:
    int_part(req.parts, 0)
    return Reply(t("rsvp_done"), replace=True)


async def typed(req: Request) -> Result:
    saved = await rsvp.typed(req.services, req.incoming, req.incoming.text or "")
    if saved.step is rsvp.Typed.REASON:
        return _offer_opinion(saved.meeting.id, req.incoming.text or "")
    when = when_text(saved.meeting.starts_at, req.services.config.timezone)
    notice = Reply(
        t(
            "opinion_notice",
            name=saved.member_name,
            kind=t(f"meeting_kind_{saved.meeting.kind.value}"),
            when=when,
            opinion=" ".join((req.incoming.text or "").split()),
        )
    )
    return Outcome(
        [Reply(t("rsvp_opinion_saved"))], notices=[Notice(to, notice) for to in saved.leaders]
    )
