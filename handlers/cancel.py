"""`/huy`: leave whatever step the person is in."""

from __future__ import annotations

from core import onboarding
from core.messages import Reply
from core.router import Request, Result
from core.texts import t


async def cancel(req: Request) -> Result:
    had_flow = await onboarding.cancel(req.services, req.incoming)
    return Reply(t("cancelled" if had_flow else "nothing_to_cancel"))
