"""`/kenh`: where reminders go, switching to another linked channel, linking one more."""

from __future__ import annotations

from core import linking
from core.linking import ChannelsOverview, LinkCode
from core.messages import Button, Reply, buttons
from core.payloads import PayloadError, encode, str_part
from core.router import Request, Result
from core.texts import TEXTS, t, when_text

CHANNEL = "chn"  # chn:p:<channel> → reminders go there; chn:l:<channel> → a code to link it
PREFER, LINK = "p", "l"


def _say(key: str) -> str:
    """A per-channel text, or nothing for a channel without one (e.g. the test channel)."""
    return t(key) if key in TEXTS else ""


def _render(view: ChannelsOverview, head: str, replace: bool = False) -> Reply:
    lines = [head, *(_say(f"channels_blocked_{c.channel}") for c in view.linked if c.blocked)]
    rows = [_button("btn_prefer", PREFER, c) for c in view.switchable]
    rows += [_button("btn_link", LINK, c) for c in view.unlinked]
    if view.unlinked:
        lines.append(t("channels_can_link"))
    return Reply("\n".join(line for line in lines if line), buttons(*rows), replace=replace)


def _button(label: str, action: str, channel: str) -> list[Button]:
    key = f"{label}_{channel}"
    return [Button(t(key), encode(CHANNEL, action, channel))] if key in TEXTS else []


def _current(view: ChannelsOverview) -> str:
    return _say(f"channels_current_{view.preferred}") or t("channels_current_none")


async def show(req: Request) -> Result:
    view = await linking.overview(req.services, req.incoming)
    return _render(view, _current(view))


async def pressed(req: Request) -> Result:
    action, channel = str_part(req.parts, 0), str_part(req.parts, 1)
    if action == PREFER:
        view = await linking.set_preferred(req.services, req.incoming, channel)
        return _render(view, _say(f"preferred_set_{channel}") or _current(view), replace=True)
    if action != LINK:
        raise PayloadError("unknown channel action")
    code = await linking.link_code(req.services, req.incoming, channel)
    return Reply(_code_text(req, code), replace=True)


def _code_text(req: Request, code: LinkCode) -> str:
    if code.channel == "zalo":
        key = "link_code_zalo" if code.bot_name else "link_code_zalo_unnamed"
    else:
        key = "link_code_telegram" if code.link else "link_code_telegram_typed"
    when = when_text(code.expires_at, req.services.config.timezone)
    values = {"code": code.code, "link": code.link, "bot_name": code.bot_name}
    return "\n".join([t(key, **values), t("link_code_note", when=when)])
