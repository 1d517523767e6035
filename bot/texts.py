"""Every message the bot writes, in one place: the English source of the message catalogue.

HTML parse mode; every dynamic value is escaped. At the end of this module each UPPERCASE
constant becomes a catalogue entry (``bot.i18n.Msg``) keyed by its name and rendered in the
reader's language; translations live in ``bot/locales/<lang>/LC_MESSAGES/messages.po``.
"""

from __future__ import annotations

from html import escape

from bot.core.challenge import Phase
from bot.core.outcomes import NudgeReason, SwapRefusal
from bot.core.pairing import InviteProblem
from bot.i18n import Msg, Plural, entries
from prompts.schema import Area, Category

# Constants below are HTML already (note &amp;); only dynamic values go through esc().
PHASE_NAMES = {
    Phase.TRUST: "Trust &amp; communication",
    Phase.AFFECTION: "Affection &amp; closeness",
    Phase.CONFLICT: "Conflict &amp; compromise",
}
CATEGORY_NAMES = {
    Category.APPRECIATION: "Appreciation",
    Category.AFFECTION: "Affection",
    Category.CONVERSATION: "Conversation",
}


YOUR_PARTNER = "your partner"  # where a partner's name is not known
NOT_SCHEDULED = "not scheduled"
AFTER_PAIRING = "after pairing"


def esc(value: object) -> str:
    return escape(str(value), quote=False)


def clip(text: str, limit: int) -> str:
    """Shorten ``text`` to at most ``limit`` characters, marking the cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# --- onboarding and pairing ---------------------------------------------------------------------

SAFETY_LINE = (
    "<i>Couplet is for couples where both partners feel safe. If that's not the case for you, "
    "see /safety.</i>"
)

WELCOME = (
    "Hi {name}! I'm <b>Couplet</b> 💞\n"
    "For 30 days I send you and your partner one small prompt a day.\n"
    "You each answer privately, then see both answers side by side.\n"
    "Days 1–10 build trust, 11–20 closeness, 21–30 working through friction together.\n\n"
    + SAFETY_LINE
    + "\n\n🌐 I'll write to you in English; /language changes it."
)
INVITE = (
    "To begin, send your partner this invite link:\n{link}\n\n"
    "It works once and stays valid until {expires}."
)
SHARE_TEXT = "Let's do the 30-day Couplet challenge together 💞"
INVITED_BY = (
    "<b>{inviter}</b> invited you to the 30-day Couplet challenge: one small prompt a day, "
    "answered privately, revealed together.\n\nWould you like to join?"
)
ALREADY_PAIRED = "You're paired with <b>{partner}</b>. {status}\n/today shows today's prompt."
PAIRED_YOU = (
    "You and <b>{partner}</b> are paired! 🎉\n"
    "Day 1 arrives at {time} your time ({tz}). Change it any time with /settings.\n\n"
    + SAFETY_LINE
    + "\n\nOr start right now:"
)
PAIRED_INVITER = (
    "<b>{partner}</b> accepted your invite! 🎉\n"
    "Day 1 arrives at {time} your time ({tz}). Change it any time with /settings.\n"
    "Or start right now:"
)
STARTING_NOW = "Here we go: day 1 is on its way to you both. ✨"
ALREADY_STARTED = "Your challenge has already started: /today shows today's prompt."
DECLINED_YOU = "No problem. If you change your mind, just open the link again."
DECLINED_INVITER = "<b>{name}</b> opened your invite and said not now. Your link still works."
INVITE_PROBLEMS = {
    InviteProblem.UNKNOWN: (
        "I don't know that invite code. Ask your partner to send /start and share a fresh link."
    ),
    InviteProblem.EXPIRED: "That invite has expired. Ask your partner to send /start for a fresh link.",
    InviteProblem.USED: "That invite was already used. Ask your partner to send /start for a fresh link.",
    InviteProblem.OWN: "That's your own invite link 🙂 Send it to your partner; it works for them, not you.",
    InviteProblem.YOU_PAIRED: "You're already paired. To pair with someone else, first /unpair.",
    InviteProblem.INVITER_PAIRED: (
        "This invite can't be used any more. If you'd like to do the challenge with someone, "
        "/start gives you your own invite link to send them."
    ),
}

# --- the daily rhythm ---------------------------------------------------------------------------

PROMPT = (
    "<b>Day {day} of {total} · {phase}</b>\n<i>{category}</i>\n\n{text}{extras}\n\n"
    "<i>Reply with text, a voice note or a photo. Only {partner} sees your answer, once you've "
    "both answered.</i>"
)
# What some prompts carry under their text ({extras} above, and /today): the task without touch,
# a reminder not to spoil a surprise, a safety line. The texts come from the prompt's data.
PROMPT_NO_TOUCH = "\n\n<i>{text}</i>"
PROMPT_SURPRISE = (
    "\n\n🤫 <i>{partner} reads your answer once you've both answered, so keep the surprise "
    "itself out of it.</i>"
)
PROMPT_SAFETY = "\n\n🛟 <i>{text}</i>"
LATE_PREFIX = "<i>This is yesterday's prompt, a little late — answer whenever suits you.</i>\n\n"
REMINDER = (
    "A gentle reminder 🌱 Day {day}'s prompt is still waiting for your answer:\n\n<i>{text}</i>"
)
NUDGE = "💌 <b>{name}</b> has answered day {day} and is looking forward to yours."
NUDGE_SENT = "Nudge sent to {partner} 💌"
NUDGE_ALREADY = "You already nudged {partner} today. Give them a little time 🙂"
NUDGE_NOT_NEEDED = "Nothing to nudge right now: {reason}"
NUDGE_BUTTON = "Nudge {partner}"
NUDGE_REASONS = {
    NudgeReason.NOT_PAIRED: "you're not paired yet. /start gets you an invite link.",
    NudgeReason.NO_PROMPT: "your first prompt hasn't arrived yet.",
    NudgeReason.ANSWER_FIRST: "answer today's prompt first, then you can nudge.",
    NudgeReason.PARTNER_ANSWERED: "{partner} has already answered.",
}

SAVED = (
    "Saved your answer for day {day} ✓\n"
    "I'll show you both answers as soon as {partner} has answered."
)
UPDATED = "Updated your answer for day {day} ✓ {partner} will see this version."
SAVED_REVEAL = "Saved ✓ You've both answered day {day}, here they are:"
EDIT_TOO_LATE = (
    "Day {day} is already revealed, so I can't change your answer any more: {partner} has seen "
    "it as you first sent it, and that's the version /history keeps. Anything to add? Tell "
    "{partner} directly. 💛"
)
NOTHING_OPEN = "There's no open prompt to answer right now. {next}\nMeanwhile, /tip has an idea."
NEXT_AT = "Your next prompt arrives {when}."
UNSUPPORTED = (
    "I can keep text, voice notes and photos as answers, but not this kind of message. "
    "Could you send it as one of those?"
)

REVEAL_HEAD = "<b>Day {day} · You both answered</b> 💞\n<i>{prompt}</i>"
REVEAL_YOU = "<b>You</b>\n{answer}"
REVEAL_PARTNER = "<b>{partner}</b>\n{answer}"
REVEAL_MEDIA = {"voice": "🎙 voice note", "photo": "📷 photo"}
REVEAL_MEDIA_BELOW = "{media} (below)"
REVEAL_MEDIA_CAPTION = "{partner}'s answer for day {day}"
REVEAL_FOLLOW_UP = "<i>💬 {text}</i>"

# The phase recap: the couple's own words, one short line each per revealed day, in day order.
RECAP = "<b>{title}</b>\n{intro}\n\n{days}\n\n<b>To reflect on together:</b> {reflection}"
RECAP_QUIET = "<b>{title}</b>\n{quiet}\n\n<b>To reflect on together:</b> {reflection}"
RECAP_DAY = "<b>Day {day}</b> · <i>{prompt}</i>\n<b>You:</b> {mine}\n<b>{partner}:</b> {theirs}"
RECAP_QUOTE = "“{text}”"
RECAP_NO_ANSWER = "—"
COMPLETE = (
    "🎉 <b>You did it: 30 days together.</b>\n"
    "Thank you for showing up for each other. Your answers stay in /history.\n\n"
    "Would you like another round with fresh prompts?"
)
AGAIN_STARTED = "A new round begins! Day 1 arrives at your usual time. 🌱"
AGAIN_PARTNER = "<b>{name}</b> started a new round. Day 1 arrives at your usual time. 🌱"
STOPPED = "Lovely. The challenge is complete; your answers stay in /history. /start anytime."

# --- commands -----------------------------------------------------------------------------------

# /help shows the essentials; its button opens every command, grouped (HELP_ALL).
HELP = (
    "<b>Couplet</b> · 30 days, one prompt a day, answered together.\n"
    "To answer, just reply with text, a voice note or a photo.\n\n"
    "/start – your invite link, or where you are\n"
    "/today – today's prompt and who has answered\n"
    "/history – your revealed answers\n"
    "/tip – a practical idea (try /tip conflict)\n"
    "/settings – when your prompt arrives\n"
    "/safety – if you don't feel safe, and where to find help"
)
HELP_ALL = (
    "<b>All commands</b>\n\n"
    "<b>Every day</b>\n"
    "/today – today's prompt and who has answered\n"
    "/progress – your day, phase and streak\n"
    "/history – your revealed answers\n"
    "/nudge – a gentle nudge to your partner\n"
    "/swap – a different prompt for today, before either of you answers (or /skip)\n\n"
    "<b>Just for you</b>\n"
    "/tip – a practical idea (try /tip conflict)\n"
    "/checkin – a private two-minute self-check\n"
    "/intimacy – the optional intimacy track (off unless you both opt in)\n"
    "/language – the language I write to you in\n\n"
    "<b>Timing and breaks</b>\n"
    "/settings – delivery time and time zone\n"
    "/time 20:30 · /timezone Europe/Berlin\n"
    "/pause · /resume – take a break (your partner is told)\n\n"
    "<b>Pairing, privacy, safety</b>\n"
    "/start – your invite link, or where you are\n"
    "/unpair – end the pairing (your partner is told)\n"
    "/delete_my_data – erase everything about you (your partner is told)\n"
    "/safety – when couples exercises aren't the right tool\n\n"
    "To answer, just reply with text, a voice note or a photo."
)
BTN_HELP_ALL = "📖 All commands"
COMMANDS: list[tuple[str, str]] = [
    ("today", "Today's prompt and who has answered"),
    ("progress", "Your day, phase and streak"),
    ("history", "Your revealed answers"),
    ("tip", "A practical tip for this phase"),
    ("swap", "Swap today's prompt for another"),
    ("checkin", "A private self-check"),
    ("intimacy", "The optional intimacy track"),
    ("nudge", "Gently nudge your partner"),
    ("settings", "Delivery time and time zone"),
    ("pause", "Take a break"),
    ("resume", "Pick up again"),
    ("start", "Your invite link or your status"),
    ("help", "What I can do"),
    ("safety", "If you don't feel safe"),
    ("language", "Change the language"),
]
# The bot's profile (setMyDescription: the empty chat's "What can this bot do?"; the short one
# shows on its profile and when it is shared). Description up to 512 characters, short up to 120.
DESCRIPTION = (
    "Couplet carries the two of you through a 30-day challenge: one small prompt a day, "
    "answered privately, revealed together. Days 1–10 build trust, 11–20 closeness, 21–30 "
    "working through friction. Tap Start, then send your partner the invite link."
)
SHORT_DESCRIPTION = "A 30-day challenge for couples: one prompt a day, answered together. 💞"

# --- language -----------------------------------------------------------------------------------

LANGUAGE_PICK = "🌐 Which language should I write to you in? Your partner keeps their own."
LANGUAGE_SET = "Done: I'll write to you in English from now on. 🌐"
LANGUAGE_UNKNOWN = "I don't speak “{value}” yet. Pick one of these:"
BTN_LANGUAGE = "🌐 Language"
UNKNOWN_COMMAND = "I don't know {command}. /help lists what I can do."
NOT_PAIRED = "You're not paired yet. Send /start to get an invite link for your partner."
PRIVATE_ONLY = (
    "Hi! Couplet works only in private chats, so answers stay between two partners. "
    "Open a private chat with me instead: @{bot}"
)
ERROR = "Sorry, something went wrong on my side. Please try that again in a moment."
STALE_BUTTON = "That button belongs to an older message and doesn't work any more."
BUTTON_FOREIGN = "That button isn't meant for you, so it does nothing here."
ERROR_TOAST = "Sorry, that didn't work. Please try again in a moment."

TODAY = "<b>Day {day} of {total} · {phase}</b>\n<i>{category}</i>\n\n{text}{extras}\n\n{status}"
TODAY_STATUS_BOTH = "You've both answered ✓ — see /history."
TODAY_STATUS_YOU = "You've answered ✓ · waiting for {partner}."
TODAY_STATUS_PARTNER = "{partner} has answered ✓ · your turn!"
TODAY_STATUS_NONE = "Neither of you has answered yet."
TODAY_NOT_YET = "Your challenge starts soon. Day 1: {when}."
PAUSED_NOTE = "⏸ The challenge is paused. /resume picks it up again."

PROGRESS = (
    "<b>Day {day} of {total}</b> · {phase}\n"
    "<code>{bar}</code>\n"
    "● revealed  ○ open or missed  · ahead\n"
    "Revealed together: {revealed} · streak: {streak} 🔥"
)
DAYS_COUNT = Plural("{n} day", "{n} days")
HISTORY_EMPTY = "No revealed answers yet. Once you've both answered a day, it lands here."
HISTORY_HEAD = "<b>Your shared history</b> · page {page} of {pages}"
HISTORY_PHASE = "\n<b>— {phase} —</b>"
HISTORY_ITEM = (
    "\n<b>Day {day}</b> · <i>{prompt}</i>\n<b>You:</b> {mine}\n<b>{partner}:</b> {theirs}"
)
HISTORY_ROUND = " (round {round})"
OLDER = "‹ Older"
NEWER = "Newer ›"

TIP = "💡 <b>Tip · {topic}</b>\n{text}"
TIP_MORE = "\n\n<i>Want one on a particular topic? Pick one below.</i>"
TIP_UNKNOWN = "I don't have tips on “{topic}”. Try one of these:"
TIP_ALL_SEEN = "\n\n<i>You've seen all the tips here, so I'm starting over.</i>"

# --- settings -----------------------------------------------------------------------------------

SETTINGS = (
    "<b>Your settings</b>\n"
    "Prompt time: <b>{time}</b>\nTime zone: <b>{tz}</b>\nLanguage: <b>{language}</b>\n"
    "Next prompt: {next}\n\n"
    "Shortcuts: /time 20:30 · /timezone Europe/Berlin or UTC+2"
)
PICK_TIME = "When should your daily prompt arrive? (your local time)\nOr send e.g. /time 20:30"
PICK_TZ = "Which time zone are you in?\nOr send e.g. /timezone America/Chicago or /timezone UTC-5"
TIME_SET = "Done: your prompt now arrives at <b>{time}</b> ({tz}). Next one: {next}."
TZ_SET = (
    "Done: your time zone is <b>{tz}</b>. Prompts arrive at {time} local time. Next one: {next}."
)
TIME_USAGE = "Send the time like this: <code>/time 20:30</code> (24-hour, or 8:30pm)."
TIME_BAD = (
    "I couldn't read “{value}” as a time. Try <code>/time 20:30</code> or <code>/time 8pm</code>."
)
TZ_USAGE = (
    "Send your time zone like this: <code>/timezone Europe/Berlin</code> or "
    "<code>/timezone UTC+2</code>."
)
TZ_BAD = (
    "I don't know the time zone “{value}”. Use a name like <code>Europe/Berlin</code> or "
    "<code>America/New_York</code>, or an offset like <code>UTC+2</code>."
)
BTN_CHANGE_TIME = "🕗 Change time"
BTN_CHANGE_TZ = "🌍 Change time zone"

# --- pause, unpair, delete ----------------------------------------------------------------------

PAUSED = "Paused ⏸ No prompts until one of you sends /resume. Take the time you need."
PAUSED_PARTNER = (
    "<b>{name}</b> paused the challenge for now ⏸ /resume picks it up when you're both ready."
)
ALREADY_PAUSED = "The challenge is already paused. /resume picks it up again."
RESUMED = "Welcome back! ▶️ Your next prompt: {when}."
RESUMED_PARTNER = "<b>{name}</b> resumed the challenge ▶️ Your next prompt: {when}."
NOT_PAUSED = "The challenge isn't paused. /today shows today's prompt."
UNPAIR_CONFIRM = (
    "Unpair from <b>{partner}</b>? The challenge ends for both of you and your shared history "
    "is no longer shown. This can't be undone."
)
UNPAIRED = "You're unpaired. Whenever you like, /start gives you a new invite link."
UNPAIRED_PARTNER = (
    "<b>{name}</b> ended the pairing, so the challenge has stopped for you both. Endings can "
    "sting, whatever the reason: go gently with yourself. If anything about this leaves you "
    "feeling unsafe, /safety has places to turn. /start gives you a new invite link whenever "
    "you like."
)
DELETE_CONFIRM = (
    "Erase everything Couplet knows about you: your settings, your answers and your pairing? "
    "Your partner will be told you left. This can't be undone."
)
DELETED = "Done. Everything about you is erased. If you ever come back, /start begins afresh. 💛"
DELETED_PARTNER = (
    "<b>{name}</b> has left Couplet and erased their data, so your pairing and the history you "
    "shared are gone. That can be a lot to take in: go gently with yourself. If anything about "
    "this leaves you feeling unsafe, /safety has places to turn. /start gives you a new invite "
    "link whenever you like."
)
CANCELLED = "Okay, nothing changed."
BLOCKED_PARTNER = (
    "It looks like <b>{name}</b> has stopped Couplet, so I've paused the challenge. "
    "It can pick up again when they're back and one of you sends /resume."
)
BTN_YES_UNPAIR = "Yes, unpair"
BTN_YES_DELETE = "Yes, erase my data"
BTN_CANCEL = "Cancel"
BTN_ACCEPT = "💞 Accept"
BTN_DECLINE = "Not now"
BTN_START_NOW = "▶️ Start now"
BTN_SHARE = "📨 Share invite"
BTN_AGAIN = "🔁 Another round"
BTN_STOP = "🌙 We're done for now"

# --- safety -------------------------------------------------------------------------------------

SAFETY = (
    "<b>Feeling safe comes first</b>\n\n"
    "Couplet is made for relationships where both partners feel safe with each other. If you "
    "are afraid of your partner, if they control where you go, what you spend or who you see, "
    "or if there is violence or the threat of it, couples exercises are the wrong tool: "
    "answering prompts together can make things harder.\n\n"
    "<b>Couples counselling is the wrong first step, too,</b> if you fear your partner: what you "
    "say in a joint session can be held against you at home afterwards. Talk first to someone "
    "who is there just for you: a domestic abuse helpline, a doctor, a counsellor of your own, "
    "a person you trust.\n\n"
    "<b>Before you stop anything here</b>\n"
    "/pause, /unpair and /delete_my_data each tell your partner straight away, and so does "
    "blocking me. Choose a moment that is safe for you; a helpline can help you plan it.\n\n"
    "<b>On a shared phone</b>\n"
    "Anyone holding your phone can read this chat. In the chat's menu, choose <i>Clear "
    "history</i> (on an iPhone: tap my name at the top, then ··· and <i>Clear Messages</i>); "
    "that tells no one, but tomorrow's prompt will arrive as usual. Telegram can also lock "
    "itself with a passcode: Settings → Privacy and Security → Passcode Lock. Clearing the chat "
    "doesn't erase what Couplet stores: /delete_my_data does, and your partner is told.\n\n"
    "<b>Where to find help</b>\n"
    "In danger right now? Call 112 (Europe and many other countries), 911 (North America), "
    "999 (UK), 000 (Australia) or 111 (New Zealand).\n"
    "Free, confidential domestic abuse lines:\n"
    "• USA: 1-800-799-7233, or text START to 88788\n"
    "• UK: 0808 2000 247 · Men's Advice Line 0808 801 0327\n"
    "• Ireland: 1800 341 900\n"
    "• Canada: sheltersafe.ca lists 24-hour lines near you\n"
    "• Australia: 1800 737 732 · New Zealand: 0800 733 843\n"
    "• Germany: 116 016 · France: 3919 · Spain: 016 · Italy: 1522\n"
    "• Ukraine: 116 123 · India: 181 · Brazil: 180\n"
    "• Anywhere else: findahelpline.com\n"
    "Some of these lines were set up for women; whoever you are, they can tell you where to "
    "turn. A call shows up in your phone's call log: delete it there if your phone gets "
    "checked.\n\n"
    "Couplet is a set of conversation prompts, not therapy, and it can't replace professional "
    "support."
)
# The numbers above were checked against the services' own or official pages when this was
# written. A number that changes is a fix to make here (and in translations), not a reason to
# drop the list: an emergency number, a few national lines and a directory for everyone else.

# --- swap ---------------------------------------------------------------------------------------

BTN_SWAP = "🔀 Swap this prompt"
SWAPPED_YOU = "<i>Swapped ✓ Here's today's new prompt, for both of you:</i>\n\n"
SWAPPED_PARTNER = (
    "<i>Today's prompt was swapped for a fresh one. This is the one you'll both answer:</i>\n\n"
)
SWAP_REFUSED = {
    SwapRefusal.NOT_PAIRED: NOT_PAIRED,
    SwapRefusal.NO_PROMPT: "Your first prompt hasn't arrived yet, so there's nothing to swap.",
    SwapRefusal.STALE: "That prompt is no longer today's, so it can't be swapped. /today shows the current one.",
    SwapRefusal.ANSWERED_YOU: (
        "You've already answered today's prompt, so it stays as it is for you both. A new one "
        "comes tomorrow. 💛"
    ),
    SwapRefusal.ANSWERED_PARTNER: (
        "{partner} has already answered today's prompt, so it stays as it is. It's fine to keep "
        "your answer short, or simply say it doesn't fit you today. 💛"
    ),
    SwapRefusal.SWAPPED: "Today's prompt has already been swapped once, so this is the one for today. 💛",
    SwapRefusal.REVEALED: "Today's prompt is already answered by you both. A new one comes tomorrow.",
    SwapRefusal.NONE: "I don't have another prompt for today, sorry. A short answer is completely fine.",
}

# --- self-check ---------------------------------------------------------------------------------

AREA_NAMES = {
    Area.MISUNDERSTANDINGS: "Misunderstandings",
    Area.EXPRESSING_EMOTIONS: "Putting feelings into words",
    Area.AVOIDED_CONVERSATIONS: "Talking about what you need",
    Area.DISTANCE: "Feeling close",
    Area.TOUCH: "Physical closeness",
    Area.STRESS: "Stress from outside",
    Area.CONFLICT: "Recurring arguments",
    Area.NEEDS: "Naming your needs",
    Area.HOLDING_BACK: "Holding back",  # a safety sign: never shown as an area or shared
}
CHECKIN_OFFER = (
    "🪞 <b>A private check-in</b>\n"
    "Eight quick statements, one tap each, about how things feel for you right now. "
    "It takes two minutes and stays with you: {partner} never sees it unless you both choose "
    "to share."
)
CHECKIN_OFFER_AGAIN = (
    "🪞 <b>Time for another private check-in</b>\n"
    "Same eight statements as before, so you can see how things have moved for you. "
    "Just for you, unless you both choose to share."
)
CHECKIN_OFFER_LAST = (
    "🪞 <b>The last check-in of your 30 days</b>\n"
    "The same eight statements one more time, to see where you've arrived since day 1. "
    "Just for you, unless you both choose to share."
)
BTN_CHECKIN_START = "🪞 Start check-in"
CHECKIN_QUESTION = (
    "<b>Check-in · {number} of {total}</b>\n\n{text}\n\n"
    "<i>1 = not at all true · 5 = very true for me</i>"
)
CHECKIN_RESUMED = "<i>Picking up where you left off.</i>\n\n"
CHECKIN_NEVER_SHARED = (
    "\n\n🔒 <i>This one stays with you: it is never shared, not even if you both share your "
    "check-ins.</i>"
)
CHECKIN_RESULT = "🪞 <b>Your check-in</b>\n{intro}\n\n{areas}"
CHECKIN_INTRO_CARE = "The areas that could use the most care right now:"
CHECKIN_INTRO_STEADY = "Things feel fairly steady for you. If you'd like a focus, try these:"
CHECKIN_AREA = "<b>{area}</b>\n💡 {tip}"
CHECKIN_MOVED_HEAD = "\n\n<b>Since your last check-in</b> (lower is lighter)"
CHECKIN_MOVED = "{arrow} {area}: {before} → {after}"
CHECKIN_ARROWS = {"lighter": "🟢 ↓", "same": "⚪ =", "heavier": "🟠 ↑"}
CHECKIN_FIRST = "\n\n<i>Next time I'll show you how your answers moved since today.</i>"
CHECKIN_COUNSELLING = (
    "\n\n💛 Some of your answers describe things that weigh on a relationship for a long time. "
    "That's worth taking seriously, and it's not something to carry alone: many couples find "
    "that a few sessions with a couples counsellor help them talk in a way that's hard to manage "
    "on their own. It's an ordinary, sensible step, not a sign of failure. "
    "If you ever feel afraid of your partner, /safety is the better place to start."
)
CHECKIN_SAFETY = (
    "\n\n🛟 You said you often hold back because of how your partner might react. Sometimes "
    "that's about dodging a row; sometimes it's fear. If you are ever afraid of your partner, "
    "couples exercises and couples counselling are the wrong first step: /safety has places to "
    "turn, just for you. This part is never shared."
)
CHECKIN_PRIVATE = "\n\n<i>Only you can see this. {partner} sees it only if you both share.</i>"
CHECKIN_PRIVATE_SOLO = "\n\n<i>Only you can see this.</i>"
BTN_CHECKIN_SHARE = "🤝 Share with {partner}"
CHECKIN_STALE = "That check-in is finished. /checkin starts a new one."
CHECKIN_ALREADY = "Already noted ✓"
CHECKIN_SHARE_WAITING = (
    "Noted ✓ I'll show you each other's check-ins once {partner} also chooses to share theirs. "
    "Until then, nothing is shown."
)
CHECKIN_SHARE_INVITE = (
    "🤝 <b>{name}</b> would like to swap check-in summaries with you. Nothing of theirs is shown "
    "unless you share yours too, and it's completely fine not to."
)
CHECKIN_SHARE_INVITE_NONE = "\n\nYou haven't done this check-in yet: /checkin starts it."
CHECKIN_SHARED = "🤝 <b>{name}'s check-in</b> (you both chose to share)\n\n{areas}"
CHECKIN_SHARED_AREA = "• {area}"
CHECKIN_SHARED_TALK = (
    "\n\n<i>Maybe pick one area you both named and talk about it, without fixing anything yet.</i>"
)
CHECKIN_SHARE_NOT_PAIRED = "Sharing needs a partner: /start gets you an invite link."
CHECKIN_SHARE_STALE = (
    "That check-in belongs to an earlier pairing, so it stays private. /checkin starts a new one."
)

# --- intimacy track -----------------------------------------------------------------------------

INTIMACY_OFFER = (
    "🌙 <b>An optional extra: the intimacy track</b>\n"
    "Alongside your daily prompt, a second, gentle prompt about physical closeness: setting, "
    "talking about wishes and limits, then trying something new together. Tasteful, never "
    "explicit, and always at your own pace.\n\n"
    "It's off unless you <b>both</b> say yes, and your answer here is private: {partner} learns "
    "nothing about it unless you've both said yes. Either of you can stop it any time with "
    "/intimacy off."
)
# The signs that call for more than a conversation prompt (see the background material).
INTIMACY_HELP = (
    "💛 If sex hurts, if one of you wants it much more or much less than the other and that "
    "weighs on you, or if it feels impossible to talk about, you're far from alone, and help "
    "exists: a doctor for pain, a sex therapist or a couples counsellor for the rest. If you ever "
    "feel pressured, see /safety."
)
INTIMACY_ABOUT = INTIMACY_OFFER + "\n\n" + INTIMACY_HELP + "\n\n{status}"
INTIMACY_STATUS_OFF = "You haven't opted in."
INTIMACY_STATUS_WAITING = "You've opted in. It starts only if your partner says yes as well."
INTIMACY_STATUS_ACTIVE = "The track is on for you both."
BTN_INTIMACY_ON = "🌙 Yes, I'm in"
BTN_INTIMACY_OFF = "Turn it off"
INTIMACY_WAITING = (
    "Noted, privately ✓ The track starts only if {partner} also opts in, and they won't be told "
    "that you did. /intimacy off changes your mind at any time."
)
INTIMACY_ACTIVE = (
    "🌙 You're both in: the intimacy track starts with your next daily prompt. "
    "No step is ever required, and “not today” is always a complete answer. "
    "/intimacy off stops it any time.\n\n" + INTIMACY_HELP
)
INTIMACY_ALREADY_ON = "You're already opted in. /intimacy off turns it off."
INTIMACY_LEFT = "Done: the intimacy track is off for you. Nothing else changes. 💛"
INTIMACY_ALREADY_OFF = "The intimacy track is already off for you."
INTIMACY_PAUSED = "🌙 The intimacy track is paused for now. Your daily prompts carry on as usual."
INTIMACY_STEP = (
    "🌙 <b>Intimacy track · step {step} of {total}</b>\n\n{text}\n\n"
    "<i>Just for the two of you, to do together when it suits you. No need to reply here.</i>"
)
INTIMACY_NO_REPLY = (
    "No need to answer intimacy-track steps here: they're just for the two of you, and nothing "
    "you send about them is saved or shown. To answer today's prompt, send a message without "
    "replying to the step."
)
INTIMACY_NOT_PAIRED = "The intimacy track is for paired couples. /start gets you an invite link."
INTIMACY_USAGE = "Send /intimacy on to opt in, or /intimacy off to leave."

# Every constant above, as catalogue entries (bot/i18n.py); nothing below this line.
CATALOGUE: list[Msg | Plural] = entries(globals())
