"""Inline keyboards. Callback data is short, prefixed by the feature, and never trusted blindly."""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import quote

from babel import Locale
from babel.dates import get_timezone_location
from telegram import InlineKeyboardButton as Button
from telegram import InlineKeyboardMarkup as Markup

from bot import i18n, texts
from bot.i18n import Msg

TIME_CHOICES = ["07:00", "08:00", "09:00", "12:00", "18:00", "19:00", "20:00", "21:00", "22:00"]
# The zone picker: the zones where a language's readers mostly live first, then the world's.
ZONE_CHOICES = [
    "Europe/London", "Europe/Berlin", "Europe/Kyiv", "America/New_York", "America/Chicago",
    "America/Los_Angeles", "America/Sao_Paulo", "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney",
]  # fmt: skip
NEAR_ZONES = {
    "ru": ["Europe/Moscow", "Asia/Yekaterinburg", "Asia/Novosibirsk", "Asia/Almaty"],
    "uk": ["Europe/Kyiv", "Europe/Warsaw"],
    "es": ["Europe/Madrid", "America/Mexico_City", "America/Bogota",
           "America/Argentina/Buenos_Aires"],
    "de": ["Europe/Berlin", "Europe/Vienna", "Europe/Zurich"],
    "pt-BR": ["America/Sao_Paulo", "America/Manaus", "Europe/Lisbon"],
}  # fmt: skip
ZONE_PICKER_SIZE = 11  # plus UTC: four rows of three
# A zone named after a city people do not know it by is shown as its country.
ZONE_COUNTRY = {"Asia/Kolkata": "IN"}


def _rows(buttons: list[Button], width: int) -> list[list[Button]]:
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def help_all() -> Markup:
    return Markup([[Button(str(texts.BTN_HELP_ALL), callback_data="help:all")]])


def invite(link: str) -> Markup:
    share = f"https://t.me/share/url?url={quote(link, safe='')}&text={quote(str(texts.SHARE_TEXT))}"
    return Markup([[Button(str(texts.BTN_SHARE), url=share)]])


def accept_invite(code: str) -> Markup:
    return Markup(
        [[Button(str(texts.BTN_ACCEPT), callback_data=f"pair:accept:{code}"),
          Button(str(texts.BTN_DECLINE), callback_data=f"pair:decline:{code}")]]
    )  # fmt: skip


def start_now() -> Markup:
    return Markup([[Button(str(texts.BTN_START_NOW), callback_data="start_now")]])


def settings() -> Markup:
    return Markup(
        [[Button(str(texts.BTN_CHANGE_TIME), callback_data="set:time"),
          Button(str(texts.BTN_CHANGE_TZ), callback_data="set:tz")],
         [Button(str(texts.BTN_LANGUAGE), callback_data="set:lang")]]
    )  # fmt: skip


def languages() -> Markup:
    """One button per shipped language, each named in itself."""
    return Markup(
        _rows([Button(i18n.NATIVE_NAMES[lang], callback_data=f"lang:{lang}")
               for lang in i18n.shipped()], 2)
    )  # fmt: skip


def pick_time() -> Markup:
    return Markup(_rows([Button(t, callback_data=f"time:{t}") for t in TIME_CHOICES], 3))


def zone_label(name: str, language: str) -> str:
    """A zone as its city (or country) in the reader's language: 'Берлин', 'Nueva York'."""
    locale = Locale.parse(language, sep="-")
    if name in ZONE_COUNTRY:
        return locale.territories[ZONE_COUNTRY[name]]
    return str(get_timezone_location(name, locale=locale, return_city=True))


def zone_choices(language: str) -> list[str]:
    near = NEAR_ZONES.get(language, [])
    zones = [*near, *(z for z in ZONE_CHOICES if z not in near)][:ZONE_PICKER_SIZE]
    return [*zones, "UTC"]


def pick_zone() -> Markup:
    """The zones for the reader's language, each named in it."""
    language = i18n.current()
    return Markup(
        _rows([Button("UTC" if name == "UTC" else zone_label(name, language),
                      callback_data=f"tz:{name}") for name in zone_choices(language)], 3)
    )  # fmt: skip


def confirm(action: str, yes_label: str | Msg) -> Markup:
    return Markup(
        [[Button(str(yes_label), callback_data=f"{action}:yes"),
          Button(str(texts.BTN_CANCEL), callback_data=f"{action}:no")]]
    )  # fmt: skip


def nudge(partner: str) -> Markup:
    return Markup([[Button(texts.NUDGE_BUTTON.format(partner=partner), callback_data="nudge")]])


def history(offset: int, page_size: int, total: int) -> Markup | None:
    buttons = []
    if offset + page_size < total:
        buttons.append(Button(str(texts.OLDER), callback_data=f"hist:{offset + page_size}"))
    if offset > 0:
        buttons.append(Button(str(texts.NEWER), callback_data=f"hist:{max(0, offset - page_size)}"))
    return Markup([buttons]) if buttons else None


def topics(items: list[tuple[str, str]]) -> Markup:
    return Markup(_rows([Button(label, callback_data=f"tip:{tid}") for tid, label in items], 2))


def again() -> Markup:
    return Markup(
        [[Button(str(texts.BTN_AGAIN), callback_data="again:yes"),
          Button(str(texts.BTN_STOP), callback_data="again:no")]]
    )  # fmt: skip


def swap(round_: int, day: int) -> Markup:
    return Markup([[Button(str(texts.BTN_SWAP), callback_data=f"swap:{round_}:{day}")]])


def checkin_start() -> Markup:
    return Markup([[Button(str(texts.BTN_CHECKIN_START), callback_data="ci:start")]])


def checkin_scale(checkin_id: int, index: int) -> Markup:
    return Markup(
        [[Button(str(n), callback_data=f"ci:a:{checkin_id}:{index}:{n}") for n in range(1, 6)]]
    )


def checkin_share(checkin_id: int, partner: str) -> Markup:
    label = texts.BTN_CHECKIN_SHARE.format(partner=partner)
    return Markup([[Button(label, callback_data=f"ci:share:{checkin_id}")]])


def intimacy(opted_in: bool) -> Markup:
    if opted_in:
        return Markup([[Button(str(texts.BTN_INTIMACY_OFF), callback_data="int:off")]])
    return Markup([[Button(str(texts.BTN_INTIMACY_ON), callback_data="int:on")]])


# --- as stored in the outbox ---------------------------------------------------------------------
# The scheduler stores thousands of these per tick; PTB's ``to_dict`` is slow in bulk, and these
# never change, so each is built once per language. The dicts are shared: read them, never
# modify them.


def swap_data(round_: int, day: int) -> dict[str, Any]:
    return _swap_data(round_, day, i18n.current())


def checkin_start_data() -> dict[str, Any]:
    return _checkin_start_data(i18n.current())


def intimacy_offer_data() -> dict[str, Any]:
    return _intimacy_offer_data(i18n.current())


@cache
def _swap_data(round_: int, day: int, language: str) -> dict[str, Any]:
    return swap(round_, day).to_dict()


@cache
def _checkin_start_data(language: str) -> dict[str, Any]:
    return checkin_start().to_dict()


@cache
def _intimacy_offer_data(language: str) -> dict[str, Any]:
    return intimacy(False).to_dict()
