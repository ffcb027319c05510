"""Route an `Incoming` to the handler of a command, a button prefix, or a waiting flow."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace

from core import audit
from core.commands import Command, parse_command
from core.context import Services
from core.errors import Refused
from core.flood import FloodGuard, Verdict
from core.messages import Address, Incoming, Outcome, Reply
from core.payloads import SEPARATOR, PayloadError, decode
from core.policy import Audience
from core.texts import t

log = logging.getLogger(__name__)
NOT_ALLOWED = "not_allowed"  # the policy's refusal (core.identity.require)


@dataclass(frozen=True, slots=True)
class Request:
    """What a handler gets: the event, the services, and what the router read from it."""

    incoming: Incoming
    services: Services
    command: Command | None = None
    parts: tuple[str, ...] = ()  # button payload parts after the prefix

    @property
    def args(self) -> str:
        return self.command.args if self.command else ""

    @property
    def address(self) -> Address:
        return Address(self.incoming.channel, self.incoming.chat_id)


Result = Outcome | Reply | list[Reply]
Handler = Callable[[Request], Awaitable[Result]]
FlowLookup = Callable[[Services, Incoming], Awaitable[str | None]]
EventHandler = Callable[[Services, Incoming], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """A command as people see it: its name, the catalogue key of its description, who."""

    name: str
    description_key: str
    audience: Audience
    aliases: tuple[str, ...] = ()
    listed: bool = True
    also: tuple[Audience, ...] = ()  # further audiences (menus, help) it serves

    def serves(self, audience: Audience) -> bool:
        return audience is self.audience or audience in self.also


@dataclass
class Router:
    services: Services
    flow_lookup: FlowLookup | None = None
    event_handler: EventHandler | None = None
    fallback: Handler | None = None  # free text that is no command and no flow's answer
    specs: list[CommandSpec] = field(default_factory=list)
    _commands: dict[str, Handler] = field(default_factory=dict)
    _buttons: dict[str, Handler] = field(default_factory=dict)
    _flows: dict[str, Handler] = field(default_factory=dict)
    _file_flows: set[str] = field(default_factory=set)
    flood: FloodGuard = field(init=False)  # per-account limit on incoming updates

    def __post_init__(self) -> None:
        config = self.services.config
        self.flood = FloodGuard(config.flood_burst, config.flood_per_minute)

    def command(self, spec: CommandSpec, handler: Handler) -> None:
        for name in (spec.name, *spec.aliases):
            if name in self._commands:
                raise ValueError(f"command /{name} registered twice")
            self._commands[name] = handler
        self.specs.append(spec)

    def button(self, prefix: str, handler: Handler) -> None:
        if prefix in self._buttons:
            raise ValueError(f"button prefix {prefix!r} registered twice")
        self._buttons[prefix] = handler

    def flow(self, name: str, handler: Handler, *, files: bool = False) -> None:
        """`handler` takes the free text while flow `name` waits; with `files`, also a photo
        or file a person sends (`Incoming.received`)."""
        self._flows[name] = handler
        if files:
            self._file_flows.add(name)

    @property
    def command_names(self) -> frozenset[str]:
        return frozenset(self._commands)

    @property
    def button_prefixes(self) -> frozenset[str]:
        return frozenset(self._buttons)

    async def dispatch(self, incoming: Incoming, *, bare_commands: bool = False) -> Outcome:
        """Handle one event; never raises: failures become a short Vietnamese answer.
        An account over its flood limit gets one polite answer; the rest is dropped."""
        if incoming.event is None:  # a platform event (blocked, joined) is never a flood
            verdict = self.flood.check(incoming.channel, incoming.sender_id)
            if verdict is not Verdict.ADMIT:
                return Outcome([Reply(t("flood_slow_down"))] if verdict is Verdict.WARN else [])
        try:
            return _as_outcome(await self._route(_without_nul(incoming), bare_commands))
        except Refused as refusal:
            if refusal.key == NOT_ALLOWED:
                await self._audit_refusal(incoming, bare_commands)
            return Outcome([Reply(t(refusal.key, **refusal.params))])
        except Exception as exc:
            # The type and the frames only: an exception's text can hold what people typed.
            log.error(
                "handler failed (channel=%s, kind=%s): %s\n%s",
                incoming.channel,
                "button" if incoming.is_button else "text",
                type(exc).__name__,
                "".join(traceback.format_tb(exc.__traceback__)),
            )
            return Outcome([Reply(t("internal_error"))])

    async def _audit_refusal(self, incoming: Incoming, bare: bool) -> None:
        """A request the policy refused leaves one audit entry (and nothing else)."""
        if incoming.payload is not None:
            what = "button " + incoming.payload.split(SEPARATOR, 1)[0][:16]
        else:
            command = parse_command(incoming.text or "", known=self._commands, bare=bare)
            what = f"/{command.name}" if command else "text"
        try:
            await audit.refusal(self.services, incoming, what)
        except Exception as exc:  # the refusal is answered all the same
            log.warning("refusal not audited: %s", type(exc).__name__)

    async def _route(self, incoming: Incoming, bare: bool) -> Result:
        if incoming.event is not None:
            if self.event_handler is not None:
                await self.event_handler(self.services, incoming)
            return Outcome()
        if incoming.payload is not None:
            return await self._route_button(incoming)
        if incoming.received is not None:
            return await self._route_received(incoming)
        if incoming.text is None:
            return Reply(t("unsupported_message"))
        command = parse_command(incoming.text, known=self._commands, bare=bare)
        if command is not None:
            handler = self._commands.get(command.name)
            if handler is None:
                return Reply(t("unknown_command"))
            return await handler(Request(incoming, self.services, command=command))
        flow = await self.flow_lookup(self.services, incoming) if self.flow_lookup else None
        if flow is not None and flow in self._flows:
            return await self._flows[flow](Request(incoming, self.services))
        if self.fallback is not None:
            return await self.fallback(Request(incoming, self.services))
        return Reply(t("unknown_text"))

    async def _route_received(self, incoming: Incoming) -> Result:
        """A photo or file goes to a waiting flow that takes files; nothing else takes one."""
        flow = await self.flow_lookup(self.services, incoming) if self.flow_lookup else None
        if flow is not None and flow in self._file_flows:
            return await self._flows[flow](Request(incoming, self.services))
        return Reply(t("unsupported_message"))

    async def _route_button(self, incoming: Incoming) -> Result:
        assert incoming.payload is not None
        try:
            prefix, parts = decode(incoming.payload)
        except PayloadError:
            return Reply(t("stale_button"))
        handler = self._buttons.get(prefix)
        if handler is None:
            return Reply(t("stale_button"))
        try:
            return await handler(Request(incoming, self.services, parts=parts))
        except PayloadError:
            return Reply(t("stale_button"))


def _without_nul(incoming: Incoming) -> Incoming:
    """NUL cannot be stored in PostgreSQL (a typed text may end up in a row) and no person
    types one: it is dropped from what people typed."""
    text, name = incoming.text, incoming.sender_name
    if "\x00" not in (text or "") + name:
        return incoming
    return replace(
        incoming, text=text and text.replace("\x00", ""), sender_name=name.replace("\x00", "")
    )


def _as_outcome(result: Result) -> Outcome:
    if isinstance(result, Outcome):
        return result
    if isinstance(result, Reply):
        return Outcome([result])
    return Outcome(list(result))
