"""Registers every handler on the application, in the order they should be tried."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.handlers import (
    answers,
    buttons,
    common,
    content,
    errors,
    lifecycle,
    pairing,
    reading,
    settings,
)

PRIVATE = filters.ChatType.PRIVATE


def register(app: Application) -> None:
    app.add_handler(TypeHandler(Update, common.gatekeeper), group=-1)
    commands = {
        "start": pairing.start,
        "help": reading.help_command,
        "today": reading.today,
        "progress": reading.progress,
        "history": reading.history,
        "tip": reading.tip,
        "nudge": answers.nudge,
        "settings": settings.show,
        "language": settings.language,
        "time": settings.set_time,
        "timezone": settings.set_timezone,
        "pause": lifecycle.pause,
        "resume": lifecycle.resume,
        "unpair": lifecycle.unpair,
        "delete_my_data": lifecycle.delete_my_data,
        "swap": content.swap_prompt,
        "skip": content.swap_prompt,
        "checkin": content.checkin_start,
        "intimacy": content.intimacy_command,
        "safety": content.safety,
    }
    for name, callback in commands.items():
        app.add_handler(CommandHandler(name, callback, filters=PRIVATE))
    callbacks = {
        r"^pair:(accept|decline):[A-Za-z0-9_-]{8,64}$": pairing.invite_answer,
        r"^start_now$": pairing.start_now,
        r"^help:all$": reading.help_command,
        r"^(set:(time|tz|lang)|time:.+|tz:.+|lang:[A-Za-z-]{2,8})$": settings.button,
        r"^(unpair|delete):(yes|no)$": lifecycle.confirm,
        r"^again:(yes|no)$": lifecycle.again,
        r"^hist:\d{1,5}$": reading.history,
        r"^tip:[a-z-]{1,32}$": reading.tip,
        r"^nudge$": answers.nudge,
        r"^swap:\d{1,4}:\d{1,2}$": content.swap_prompt,
        r"^ci:start$": content.checkin_start,
        r"^ci:a:\d{1,12}:\d{1,2}:[1-5]$": content.checkin_button,
        r"^ci:share:\d{1,12}$": content.checkin_share,
        r"^int:(on|off)$": content.intimacy_button,
    }
    for pattern, callback in callbacks.items():
        app.add_handler(CallbackQueryHandler(callback, pattern=pattern))
    app.add_handler(CallbackQueryHandler(common.stale))
    app.add_handler(ChatMemberHandler(common.member_status, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & PRIVATE, answers.edited))
    app.add_handler(MessageHandler(filters.COMMAND & PRIVATE, errors.unknown_command))
    app.add_handler(
        MessageHandler(
            (filters.TEXT | filters.VOICE | filters.PHOTO) & filters.UpdateType.MESSAGE & PRIVATE,
            answers.answer,
        )
    )
    app.add_handler(MessageHandler(filters.UpdateType.MESSAGE & PRIVATE, answers.unsupported))
    app.add_handler(TypeHandler(Update, buttons.answer_the_rest), group=1)
    app.add_error_handler(errors.on_error)
