// The Couplet sandbox page: two phones, each a Telegram chat with the bot, and a time bar.
// Everything the phones show comes from the server's event stream (/api/events); every tap or
// message goes to the server's API, which hands it to the fake Telegram as that partner.

import { renderHtml, renderText } from "./render.js";

const PHASES = [
  { name: "Trust & communication", short: "Trust", from: 1 },
  { name: "Affection & closeness", short: "Affection", from: 11 },
  { name: "Conflict & compromise", short: "Conflict", from: 21 },
];
const DAYS = 30;
const NEAR_BOTTOM = 96; // px: a chat scrolled this close to the end follows new messages

const app = {
  ready: false,
  people: [],
  commands: [],
  bot: { name: "Couplet", username: "" },
  clock: { now: Date.now() / 1000, at: performance.now() },
  phones: new Map(),
  busy: false,
};

// -- small helpers -------------------------------------------------------------------------

function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  el.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

function svg(path, viewBox = "0 0 24 24") {
  const ns = "http://www.w3.org/2000/svg";
  const el = document.createElementNS(ns, "svg");
  el.setAttribute("viewBox", viewBox);
  el.setAttribute("aria-hidden", "true");
  const p = document.createElementNS(ns, "path");
  p.setAttribute("d", path);
  el.append(p);
  return el;
}

const ICONS = {
  reply: "M10 9V5l-7 7 7 7v-4.1c5 0 8.5 1.6 11 5.1-1-5-4-10-11-11z",
  edit: "M3 17.3V21h3.7l11-11-3.7-3.7zM20.7 7a1 1 0 0 0 0-1.4l-2.3-2.3a1 1 0 0 0-1.4 0l-1.8 1.8 3.7 3.7z",
  play: "M8 5v14l11-7z",
  pause: "M6 5h4v14H6zm8 0h4v14h-4z",
  photo: "M21 19V5a2 2 0 0 0-2-2H5a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2zM8.5 13.5l2.5 3 3.5-4.5 4.5 6H5z",
  file: "M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8zm-1 7V3.5L18.5 9z",
  link: "M14 3h7v7h-2V6.4l-9.3 9.3-1.4-1.4L17.6 5H14zM5 5h6v2H5v12h12v-6h2v6a2 2 0 0 0-2 2H5a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2z",
  check: "M1.5 8.5 5 12l7-8M7 12l7-8",
};

function simNow() {
  return app.clock.now + (performance.now() - app.clock.at) / 1000;
}

const formatters = new Map();
function fmt(person, seconds, options, locale = "en-GB") {
  const zone = person?.intl_zone || "UTC";
  const shift = person?.intl_zone ? 0 : (person?.offset_minutes || 0) * 60;
  const key = `${locale}|${zone}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(locale, { ...options, timeZone: zone });
    } catch {
      f = new Intl.DateTimeFormat(locale, { ...options, timeZone: "UTC" });
    }
    formatters.set(key, f);
  }
  return f.format(new Date((seconds + shift) * 1000));
}
const clockTime = (p, s) => fmt(p, s, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const shortDate = (p, s) => fmt(p, s, { weekday: "short", day: "numeric", month: "short" });
const dayKey = (p, s) => fmt(p, s, { year: "numeric", month: "2-digit", day: "2-digit" });
const chipDate = (p, s) => fmt(p, s, { weekday: "long", month: "long", day: "numeric" }, "en-US");

function phaseOf(day) {
  return day >= 21 ? 2 : day >= 11 ? 1 : 0;
}

function formatDuration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

async function post(path, body, phone) {
  const options = { method: "POST" };
  if (body instanceof FormData) options.body = body;
  else {
    options.headers = { "Content-Type": "application/json" };
    options.body = JSON.stringify(body ?? {});
  }
  let response;
  try {
    response = await fetch(path, options);
  } catch {
    notify("The sandbox isn't answering. Is `make try` still running?", phone);
    throw new Error("offline");
  }
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    notify(data.error || "That didn't work. Please try again.", phone);
    throw new Error(data.error || String(response.status));
  }
  return data;
}

function notify(text, phone) {
  if (phone) phone.toast(text);
  else pageToast(text);
}

let pageToastTimer;
function pageToast(text) {
  let el = document.querySelector(".page-toast");
  if (!el) {
    el = h("div", { class: "page-toast", role: "status" });
    document.body.append(el);
  }
  el.textContent = text;
  el.classList.add("shown");
  clearTimeout(pageToastTimer);
  pageToastTimer = setTimeout(() => el.classList.remove("shown"), 3200);
}

function isTelegramLink(url) {
  try {
    const host = new URL(url).hostname;
    return host === "t.me" || host === "telegram.me";
  } catch {
    return false;
  }
}

// -- a phone ---------------------------------------------------------------------------------

class Phone {
  constructor(person) {
    this.id = person.id;
    this.person = person;
    this.views = new Map(); // message id → view
    this.rows = new Map(); // message id → row element
    this.mode = null; // {kind: "reply"|"edit", id, text}
    this.unread = 0;
    this.pinned = true; // the chat shows its end: new messages and late images keep it there
    const root = document.getElementById("phone-template").content.firstElementChild.cloneNode(true);
    this.root = root;
    root.dataset.user = person.id;
    const $ = (selector) => root.querySelector(selector);
    this.el = {
      name: $(".owner-name"),
      zone: $(".owner-zone"),
      statusTime: $(".status-time"),
      botName: $(".bot-name"),
      botStatus: $(".bot-status"),
      messages: $(".messages"),
      empty: $(".empty-chat"),
      toBottom: $(".to-bottom"),
      unread: $(".unread"),
      toast: $(".toast"),
      menu: $(".menu"),
      bar: $(".compose-bar"),
      startBar: $(".start-bar"),
      composer: $(".composer"),
      input: $(".input"),
      menuButton: $(".menu-button"),
      attach: $(".attach"),
      mic: $(".mic"),
      send: $(".send"),
      file: $(".file"),
      recording: $(".recording"),
      recTime: $(".rec-time"),
      sheet: $(".sheet"),
    };
    this.wire();
    this.setPerson(person);
  }

  wire() {
    const el = this.el;
    el.name.addEventListener("keydown", (e) => {
      if (e.key === "Enter") el.name.blur();
      if (e.key === "Escape") {
        el.name.value = this.person.name;
        el.name.blur();
      }
    });
    el.name.addEventListener("change", () => this.rename());
    el.composer.addEventListener("submit", (e) => {
      e.preventDefault();
      this.submit();
    });
    el.input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        this.submit();
      } else if (e.key === "Escape") {
        this.setMode(null);
        this.closeMenu();
      } else if (e.key === "ArrowUp" && !el.input.value) {
        const own = [...this.views.values()].reverse().find((v) => v.out && v.text && !v.deep_link && !v.media);
        if (own) {
          e.preventDefault();
          this.startEdit(own);
        }
      }
    });
    el.input.addEventListener("input", () => this.onInput());
    el.menuButton.addEventListener("click", () => (el.menu.hidden ? this.openMenu("") : this.closeMenu()));
    this.root.querySelector(".start-button").addEventListener("click", () => this.say("/start"));
    this.root.querySelector(".compose-cancel").addEventListener("click", () => this.setMode(null));
    el.attach.addEventListener("click", () => el.file.click());
    el.file.addEventListener("change", () => {
      const file = el.file.files?.[0];
      el.file.value = "";
      if (file) this.previewPhoto(file);
    });
    el.mic.addEventListener("click", () => (this.recorder ? this.stopRecording(true) : this.startRecording()));
    this.root.querySelector(".rec-cancel").addEventListener("click", () => this.stopRecording(false));
    el.messages.addEventListener("scroll", () => {
      this.pinned = this.nearBottom();
      if (this.pinned) this.setUnread(0);
    });
    el.toBottom.addEventListener("click", () => this.scrollToEnd(true));
    document.addEventListener("click", (e) => {
      if (!el.menu.hidden && !el.menu.contains(e.target) && e.target !== el.menuButton) this.closeMenu();
    });
  }

  // -- who this phone belongs to ----------------------------------------------------------

  setPerson(person) {
    const zoneChanged = this.person.intl_zone !== person.intl_zone || this.person.offset_minutes !== person.offset_minutes;
    this.person = person;
    if (document.activeElement !== this.el.name) this.el.name.value = person.name;
    this.el.zone.textContent = person.zone;
    this.el.botName.textContent = app.bot.name;
    if (zoneChanged && this.views.size) this.setMessages([...this.views.values()]);
    this.tick();
  }

  async rename() {
    const name = this.el.name.value.trim();
    if (!name || name === this.person.name) {
      this.el.name.value = this.person.name;
      return;
    }
    try {
      await post("/api/name", { user: this.id, name }, this);
      this.toast(`Renamed to ${name}. The bot uses it from the next message.`);
    } catch {
      this.el.name.value = this.person.name;
    }
  }

  tick() {
    this.el.statusTime.textContent = clockTime(this.person, simNow());
  }

  // -- messages ---------------------------------------------------------------------------

  setMessages(views) {
    this.views = new Map(views.map((v) => [v.id, v]));
    this.rows.clear();
    this.el.messages.replaceChildren();
    for (const view of views) this.append(view);
    this.updateEmpty();
    this.scrollToEnd(false);
  }

  upsert(view, kind) {
    const known = this.rows.get(view.id);
    this.views.set(view.id, view);
    if (known) {
      const row = this.row(view);
      known.replaceWith(row);
      this.rows.set(view.id, row);
      if (this.pinned) this.scrollToEnd(false);
      if (kind === "edit") {
        row.classList.add("flash");
        setTimeout(() => row.classList.remove("flash"), 1200);
      }
      return;
    }
    const follow = this.pinned || view.out;
    this.append(view);
    this.updateEmpty();
    if (follow) this.scrollToEnd(false); // instantly: a smooth scroll still running would look "not at the end"
    else this.setUnread(this.unread + 1);
    if (!view.out) this.typing(null);
  }

  remove(id) {
    const row = this.rows.get(id);
    this.views.delete(id);
    this.rows.delete(id);
    if (!row) return;
    // Telegram lets a deleted message fade and fold away, leaving no trace.
    row.style.height = `${row.offsetHeight}px`;
    row.classList.add("deleting");
    requestAnimationFrame(() => {
      row.style.height = "0px";
    });
    setTimeout(() => {
      const previous = row.previousElementSibling;
      const next = row.nextElementSibling;
      row.remove();
      if (previous?.classList.contains("date-chip") && (!next || next.classList.contains("date-chip"))) previous.remove();
      this.updateEmpty();
    }, 420);
  }

  append(view) {
    const last = [...this.rows.values()].at(-1);
    const lastView = last ? this.views.get(Number(last.dataset.id)) : null;
    if (!lastView || dayKey(this.person, lastView.date) !== dayKey(this.person, view.date)) {
      this.el.messages.append(h("div", { class: "date-chip" }, h("span", {}, chipDate(this.person, view.date))));
    }
    const row = this.row(view);
    this.rows.set(view.id, row);
    this.el.messages.append(row);
  }

  row(view) {
    const hooks = {
      link: (url, event) => this.openLink(url, event),
      command: (command) => this.say(command),
    };
    const bubble = h("div", { class: "bubble" });
    if (view.reply_to) {
      const quote = h(
        "button",
        { type: "button", class: "quote", onclick: () => this.jumpTo(view.reply_to.id) },
        h("b", {}, view.reply_to.bot ? app.bot.name : this.person.name),
        h("span", {}, view.reply_to.snippet),
      );
      bubble.append(quote);
    }
    if (view.media) bubble.append(this.media(view));
    const body = view.out ? view.text : view.html;
    if (body) {
      const text = h("div", { class: "text" });
      text.append(view.out ? renderText(body, hooks) : renderHtml(body, hooks));
      text.append(h("span", { class: "meta-space", "aria-hidden": "true" }));
      bubble.append(text);
    } else {
      bubble.classList.add("bare");
    }
    if (view.media?.kind === "photo" && !body) bubble.classList.add("photo-only");
    const meta = h(
      "span",
      { class: "meta" },
      view.edited ? h("span", { class: "edited" }, "edited") : null,
      h("time", { datetime: new Date(view.date * 1000).toISOString() }, clockTime(this.person, view.date)),
      view.out ? this.ticks() : null,
    );
    bubble.append(meta);

    if (view.edited) bubble.classList.add("edited");
    const stack = h("div", { class: "stack" }, bubble);
    if (view.buttons?.length) stack.append(this.keyboard(view));
    const row = h("div", { class: `row ${view.out ? "out" : "in"}`, dataset: { id: view.id } }, stack);
    const actions = h(
      "div",
      { class: "actions" },
      h("button", { type: "button", title: "Reply", "aria-label": "Reply", onclick: () => this.startReply(view) }, svg(ICONS.reply)),
    );
    if (view.out && view.text && !view.media && !view.deep_link) {
      actions.append(
        h("button", { type: "button", title: "Edit", "aria-label": "Edit", onclick: () => this.startEdit(view) }, svg(ICONS.edit)),
      );
    }
    row.append(actions);
    return row;
  }

  ticks() {
    const el = svg(ICONS.check, "0 0 16 14");
    el.classList.add("ticks");
    return el;
  }

  keyboard(view) {
    const board = h("div", { class: "keyboard" });
    for (const buttons of view.buttons) {
      const line = h("div", { class: "kb-row" });
      for (const button of buttons) {
        const el = h("button", { type: "button", class: "kb" }, h("span", {}, button.text));
        if (button.url) {
          el.classList.add("kb-url");
          el.append(svg(ICONS.link));
          el.title = button.url;
          el.addEventListener("click", (event) => this.openLink(button.url, event, true));
        } else if (button.data !== undefined) {
          el.addEventListener("click", () => this.press(view, button, el));
        } else {
          el.disabled = true;
        }
        line.append(el);
      }
      board.append(line);
    }
    return board;
  }

  media(view) {
    const media = view.media;
    if (media.kind === "photo") {
      if (!media.url) return h("div", { class: "photo placeholder" }, svg(ICONS.photo), h("span", {}, "Photo"));
      const img = h("img", { class: "photo", src: media.url, alt: "Photo", loading: "lazy" });
      img.addEventListener("click", () => this.showPhoto(media.url));
      img.addEventListener("load", () => this.pinned && this.scrollToEnd(false));
      return img;
    }
    if (media.kind === "voice") return this.voicePlayer(view);
    if (media.kind === "sticker") return h("div", { class: "sticker" }, media.emoji);
    return h("div", { class: "document" }, h("span", { class: "doc-icon" }, svg(ICONS.file)), h("span", {}, media.name || "File"));
  }

  voicePlayer(view) {
    const { url, duration } = view.media;
    const bars = h("div", { class: "wave" });
    let seed = view.id * 7919 + (url || "").length * 31;
    for (let i = 0; i < 28; i += 1) {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      const height = 18 + ((seed >> 8) % 82);
      const bar = h("i");
      bar.style.setProperty("--h", `${height}%`); // CSSOM, which the page's CSP allows
      bars.append(bar);
    }
    const label = h("span", { class: "voice-time" }, formatDuration(duration));
    const button = h("button", { type: "button", class: "play", "aria-label": "Play voice note", disabled: !url }, svg(ICONS.play));
    const player = h("div", { class: "voice" }, button, h("div", { class: "voice-body" }, bars, label));
    if (!url) return player;
    let audio = null;
    const paint = () => {
      const progress = audio && audio.duration && Number.isFinite(audio.duration) ? audio.currentTime / audio.duration : 0;
      const lit = Math.round(progress * bars.children.length);
      [...bars.children].forEach((bar, i) => bar.classList.toggle("lit", i < lit));
      label.textContent = formatDuration(audio && !audio.paused ? audio.currentTime : duration);
    };
    button.addEventListener("click", () => {
      if (!audio) {
        audio = new Audio(url);
        audio.addEventListener("timeupdate", paint);
        audio.addEventListener("ended", () => {
          button.replaceChildren(svg(ICONS.play));
          audio.currentTime = 0;
          paint();
        });
      }
      if (audio.paused) {
        audio.play().catch(() => this.toast("This browser can't play that recording."));
        button.replaceChildren(svg(ICONS.pause));
      } else {
        audio.pause();
        button.replaceChildren(svg(ICONS.play));
      }
    });
    return player;
  }

  updateEmpty() {
    const empty = this.views.size === 0;
    this.el.empty.hidden = !empty;
    this.el.startBar.hidden = !empty;
    this.el.composer.hidden = empty;
    if (empty) this.setMode(null);
  }

  nearBottom(slack = NEAR_BOTTOM) {
    const m = this.el.messages;
    return m.scrollHeight - m.scrollTop - m.clientHeight < slack;
  }

  scrollToEnd(smooth) {
    const m = this.el.messages;
    m.scrollTo({ top: m.scrollHeight, behavior: smooth ? "smooth" : "auto" });
    this.pinned = true;
    this.setUnread(0);
  }

  setUnread(count) {
    this.unread = count;
    this.el.toBottom.hidden = count === 0 && this.nearBottom();
    this.el.unread.hidden = count === 0;
    this.el.unread.textContent = String(count);
  }

  jumpTo(id) {
    const row = this.rows.get(id);
    if (!row) {
      this.toast("That message is no longer here.");
      return;
    }
    row.scrollIntoView({ block: "center", behavior: "smooth" });
    row.classList.add("flash");
    setTimeout(() => row.classList.remove("flash"), 1200);
  }

  // -- what the partner does ---------------------------------------------------------------

  async say(text, replyTo) {
    await post("/api/say", { user: this.id, text, reply_to: replyTo ?? null }, this);
  }

  async submit() {
    const text = this.el.input.value.trim();
    if (!text) return;
    const mode = this.mode;
    try {
      if (mode?.kind === "edit") {
        if (text !== mode.text) await post("/api/edit", { user: this.id, id: mode.id, text }, this);
      } else {
        await this.say(text, mode?.kind === "reply" ? mode.id : null);
      }
    } catch {
      return; // the toast said why; keep what they typed
    }
    this.el.input.value = "";
    this.setMode(null);
    this.onInput();
  }

  async press(view, button, el) {
    el.classList.add("pressed");
    setTimeout(() => el.classList.remove("pressed"), 700);
    try {
      await post("/api/press", { user: this.id, id: view.id, data: button.data }, this);
    } catch {
      /* the toast said why */
    }
  }

  async openLink(url, event, fromButton = false) {
    if (!isTelegramLink(url)) {
      // An ordinary link: an <a> opens it in a new tab by itself, a URL button needs a hand.
      if (fromButton) window.open(url, "_blank", "noopener,noreferrer");
      return;
    }
    event?.preventDefault();
    const { opened_in: openedIn } = await post("/api/open", { user: this.id, url }, this);
    const target = openedIn ? app.phones.get(openedIn) : null;
    if (!target) {
      this.toast("That Telegram link leads outside the sandbox.");
      return;
    }
    target.toast(`${this.person.name} sent you an invite link, and you opened it.`);
    target.root.classList.add("called");
    setTimeout(() => target.root.classList.remove("called"), 1400);
    target.root.scrollIntoView({ block: "nearest", behavior: "smooth" });
  }

  startReply(view) {
    const snippet = view.out ? view.text : view.html ? renderHtml(view.html).textContent : view.media?.kind || "";
    this.setMode({ kind: "reply", id: view.id, who: view.out ? this.person.name : app.bot.name, snippet });
  }

  startEdit(view) {
    this.setMode({ kind: "edit", id: view.id, text: view.text, who: "Edit message", snippet: view.text });
    this.el.input.value = view.text;
    this.onInput();
  }

  setMode(mode) {
    const wasEdit = this.mode?.kind === "edit";
    this.mode = mode;
    const bar = this.el.bar;
    bar.hidden = !mode;
    this.root.classList.toggle("composing", Boolean(mode));
    if (!mode) {
      if (wasEdit) {
        this.el.input.value = "";
        this.onInput();
      }
      return;
    }
    bar.querySelector(".compose-icon").replaceChildren(...svg(mode.kind === "edit" ? ICONS.edit : ICONS.reply).childNodes);
    bar.querySelector(".compose-what b").textContent = mode.kind === "edit" ? "Edit message" : `Reply to ${mode.who}`;
    bar.querySelector(".compose-what span").textContent = mode.snippet;
    this.el.input.focus();
  }

  onInput() {
    const input = this.el.input;
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, 120)}px`;
    const value = input.value;
    const hasText = value.trim().length > 0;
    this.el.send.hidden = !hasText;
    this.el.mic.hidden = hasText;
    if (/^\/\w*$/.test(value)) this.openMenu(value.slice(1));
    else if (!this.el.menu.hidden && this.menuFromTyping) this.closeMenu();
  }

  openMenu(filter) {
    const menu = this.el.menu;
    const commands = app.commands.filter((c) => c.command.startsWith(filter.toLowerCase()));
    if (!commands.length) {
      this.closeMenu();
      return;
    }
    this.menuFromTyping = filter !== "" || this.el.input.value === "/";
    menu.replaceChildren(
      ...commands.map((c) =>
        h(
          "button",
          {
            type: "button",
            class: "menu-item",
            role: "menuitem",
            onclick: () => {
              this.closeMenu();
              this.el.input.value = "";
              this.onInput();
              this.say(`/${c.command}`);
            },
          },
          h("b", {}, `/${c.command}`),
          h("span", {}, c.description),
        ),
      ),
    );
    menu.hidden = false;
    this.el.menuButton.classList.add("open");
  }

  closeMenu() {
    this.el.menu.hidden = true;
    this.el.menuButton.classList.remove("open");
    this.menuFromTyping = false;
  }

  // -- photos and voice notes ----------------------------------------------------------------

  previewPhoto(file) {
    if (!file.type.startsWith("image/")) {
      this.toast("That isn't a picture: pick a photo.");
      return;
    }
    const url = URL.createObjectURL(file);
    const caption = h("input", { class: "caption", placeholder: "Add a caption…", maxlength: "1024", value: this.el.input.value.trim() });
    const close = () => {
      URL.revokeObjectURL(url);
      this.el.sheet.hidden = true;
      this.el.sheet.replaceChildren();
    };
    const send = async () => {
      const form = new FormData();
      form.append("user", String(this.id));
      form.append("caption", caption.value);
      if (this.mode?.kind === "reply") form.append("reply_to", String(this.mode.id));
      form.append("file", file, file.name || "photo.jpg");
      try {
        await post("/api/photo", form, this);
      } catch {
        return;
      }
      if (caption.value && caption.value === this.el.input.value.trim()) {
        this.el.input.value = "";
        this.onInput();
      }
      this.setMode(null);
      close();
    };
    caption.addEventListener("keydown", (e) => {
      if (e.key === "Enter") {
        e.preventDefault();
        send();
      }
      if (e.key === "Escape") close();
    });
    this.el.sheet.replaceChildren(
      h(
        "div",
        { class: "sheet-card" },
        h("div", { class: "sheet-title" }, "Send photo"),
        h("img", { class: "sheet-photo", src: url, alt: "" }),
        caption,
        h(
          "div",
          { class: "sheet-actions" },
          h("button", { type: "button", class: "ghost", onclick: close }, "Cancel"),
          h("button", { type: "button", class: "primary", onclick: send }, "Send"),
        ),
      ),
    );
    this.el.sheet.hidden = false;
    caption.focus();
  }

  showPhoto(url) {
    const close = () => {
      this.el.sheet.hidden = true;
      this.el.sheet.replaceChildren();
    };
    this.el.sheet.replaceChildren(h("img", { class: "viewer", src: url, alt: "Photo", onclick: close }));
    this.el.sheet.hidden = false;
  }

  async startRecording() {
    let stream = null;
    if (navigator.mediaDevices?.getUserMedia && window.MediaRecorder) {
      try {
        stream = await Promise.race([
          navigator.mediaDevices.getUserMedia({ audio: true }),
          new Promise((_, reject) => setTimeout(() => reject(new Error("no answer")), 4000)),
        ]);
      } catch {
        stream = null;
      }
    }
    if (!stream) {
      await this.sendVoice(standInVoice(2.4), "audio/wav", 3, "voice.wav");
      this.toast("No microphone here, so a stand-in voice note went instead 🎙");
      return;
    }
    const recorder = new MediaRecorder(stream);
    const chunks = [];
    recorder.addEventListener("dataavailable", (e) => e.data.size && chunks.push(e.data));
    this.recorder = { recorder, stream, chunks, started: performance.now(), send: true };
    this.root.classList.add("recording-on");
    this.el.recording.hidden = false;
    this.el.input.hidden = true;
    this.el.attach.hidden = true;
    this.el.mic.setAttribute("aria-label", "Send the voice note");
    this.recTimer = setInterval(() => {
      this.el.recTime.textContent = formatDuration((performance.now() - this.recorder.started) / 1000);
    }, 250);
    recorder.addEventListener("stop", async () => {
      const { send, started } = this.recorder;
      stream.getTracks().forEach((t) => t.stop());
      this.recorder = null;
      if (!send) return;
      const type = recorder.mimeType || "audio/webm";
      const seconds = Math.max(1, Math.round((performance.now() - started) / 1000));
      await this.sendVoice(new Blob(chunks, { type }), type, seconds, "voice.webm");
    });
    recorder.start();
  }

  stopRecording(send) {
    if (!this.recorder) return;
    this.recorder.send = send;
    clearInterval(this.recTimer);
    this.el.recTime.textContent = "0:00";
    this.root.classList.remove("recording-on");
    this.el.recording.hidden = true;
    this.el.input.hidden = false;
    this.el.attach.hidden = false;
    this.el.mic.setAttribute("aria-label", "Record a voice note");
    this.recorder.recorder.stop();
  }

  async sendVoice(blob, type, seconds, name) {
    const form = new FormData();
    form.append("user", String(this.id));
    form.append("duration", String(seconds));
    if (this.mode?.kind === "reply") form.append("reply_to", String(this.mode.id));
    form.append("file", new File([blob], name, { type }));
    try {
      await post("/api/voice", form, this);
      this.setMode(null);
    } catch {
      /* the toast said why */
    }
  }

  // -- what the bot shows besides messages ---------------------------------------------------

  toast(text, alert = false) {
    if (alert) {
      const close = () => {
        this.el.sheet.hidden = true;
        this.el.sheet.replaceChildren();
      };
      this.el.sheet.replaceChildren(
        h(
          "div",
          { class: "sheet-card alert", role: "alertdialog" },
          h("div", { class: "sheet-title" }, app.bot.name),
          h("p", {}, text),
          h("div", { class: "sheet-actions" }, h("button", { type: "button", class: "primary", onclick: close }, "OK")),
        ),
      );
      this.el.sheet.hidden = false;
      return;
    }
    const el = this.el.toast;
    el.textContent = text;
    el.hidden = false;
    el.classList.remove("shown");
    void el.offsetWidth;
    el.classList.add("shown");
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => el.classList.remove("shown"), 3000);
  }

  typing(action) {
    clearTimeout(this.typingTimer);
    const status = this.el.botStatus;
    if (!action) {
      status.textContent = "bot";
      status.classList.remove("busy");
      return;
    }
    status.textContent = { typing: "typing…", upload_photo: "sending a photo…", record_voice: "recording a voice note…" }[action] || "typing…";
    status.classList.add("busy");
    this.typingTimer = setTimeout(() => this.typing(null), 5000);
  }
}

// -- a stand-in voice note (no microphone, e.g. a headless browser) ------------------------------

function standInVoice(seconds) {
  const rate = 16000;
  const count = Math.round(rate * seconds);
  const buffer = new ArrayBuffer(44 + count * 2);
  const view = new DataView(buffer);
  const text = (offset, value) => [...value].forEach((c, i) => view.setUint8(offset + i, c.charCodeAt(0)));
  text(0, "RIFF");
  view.setUint32(4, 36 + count * 2, true);
  text(8, "WAVEfmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, rate, true);
  view.setUint32(28, rate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  text(36, "data");
  view.setUint32(40, count * 2, true);
  const notes = [523.25, 659.25, 783.99]; // a soft C major arpeggio
  for (let i = 0; i < count; i += 1) {
    const t = i / rate;
    const note = notes[Math.min(notes.length - 1, Math.floor((t / seconds) * notes.length))];
    const envelope = Math.min(1, t * 8) * Math.min(1, (seconds - t) * 4);
    const sample = Math.sin(2 * Math.PI * note * t) * 0.25 * envelope;
    view.setInt16(44 + i * 2, sample * 32767, true);
  }
  return new Blob([buffer], { type: "audio/wav" });
}

// -- the time bar ------------------------------------------------------------------------------

function renderClocks() {
  const box = document.getElementById("clocks");
  box.replaceChildren(
    ...app.people.map((person) => {
      const now = simNow();
      const next = person.next_prompt
        ? `next prompt ${shortDate(person, person.next_prompt)}, ${clockTime(person, person.next_prompt)}`
        : { new: "hasn't opened the bot yet", single: "not paired yet", paused: "paused", complete: "all 30 days done", active: "nothing scheduled" }[person.status] || "";
      return h(
        "div",
        { class: "clock", dataset: { user: person.id } },
        h("span", { class: "clock-name" }, person.name),
        h("span", { class: "clock-time" }, clockTime(person, now)),
        h("span", { class: "clock-date" }, `${shortDate(person, now)} · ${person.zone}`),
        h("span", { class: "clock-next" }, next),
      );
    }),
  );
}

function tickClocks() {
  for (const el of document.querySelectorAll(".clock")) {
    const person = app.people.find((p) => String(p.id) === el.dataset.user);
    if (!person) continue;
    const now = simNow();
    el.querySelector(".clock-time").textContent = clockTime(person, now);
    el.querySelector(".clock-date").textContent = `${shortDate(person, now)} · ${person.zone}`;
  }
  for (const phone of app.phones.values()) phone.tick();
}

function currentDay() {
  return Math.max(0, ...app.people.map((p) => p.day || 0));
}

/** The next phase's first day (or day 30): where "Jump to day" is most worth a look. */
function nextMilestone() {
  const day = currentDay();
  return [11, 21, DAYS].find((d) => d > day) ?? DAYS;
}

function renderJourney() {
  const box = document.getElementById("journey");
  const day = currentDay();
  const cells = h("div", { class: "cells" });
  for (let d = 1; d <= DAYS; d += 1) {
    const cell = h(
      "button",
      {
        type: "button",
        class: `cell phase-${phaseOf(d)}${d <= day ? " done" : ""}${d === day ? " today" : ""}`,
        title: d <= day ? `Day ${d}` : `Jump to day ${d}`,
        "aria-label": `Day ${d}`,
        disabled: d <= day || app.busy,
        onclick: () => travel("goto", d),
      },
      h("span", {}, String(d)),
    );
    cells.append(cell);
  }
  const label = day
    ? `Day ${day} of ${DAYS} · ${PHASES[phaseOf(day)].name}`
    : "Day 0 of 30 · pair the two phones to begin";
  const input = document.getElementById("goto-day");
  if (Number(input.value) <= day && document.activeElement !== input) input.value = String(nextMilestone());
  box.replaceChildren(
    h("div", { class: "journey-label" }, h("b", {}, label)),
    cells,
    h("div", { class: "phase-names" }, ...PHASES.map((p, i) => h("span", { class: `phase-${i}` }, p.name))),
  );
}

async function travel(action, day) {
  if (app.busy) return;
  setBusy(true);
  try {
    const result = await post("/api/time", { action, day: day ?? null });
    if (result.message) pageToast(result.message);
  } catch {
    /* the toast said why */
  } finally {
    setBusy(false);
  }
}

function setBusy(busy) {
  app.busy = busy;
  document.body.classList.toggle("travelling", busy);
  for (const el of document.querySelectorAll(".travel button, .travel input")) el.disabled = busy;
  for (const el of document.querySelectorAll(".cell")) el.disabled = busy || el.classList.contains("done");
}

// -- what to click next ------------------------------------------------------------------------

function renderCoach() {
  const [a, b] = app.people;
  const el = document.getElementById("coach");
  if (!a || !b) return;
  const chatA = app.phones.get(a.id)?.views ?? new Map();
  const chatB = app.phones.get(b.id)?.views ?? new Map();
  const paired = ["active", "paused", "complete"].includes(a.status);
  let text;
  if (!paired && chatA.size === 0 && chatB.size === 0) text = `Tap <b>Start</b> in ${a.name}'s phone to begin.`;
  else if (!paired && chatB.size === 0)
    text = `Tap the invite link in ${a.name}'s phone: it opens in ${b.name}'s phone, as if ${a.name} had sent it over.`;
  else if (!paired) text = `${b.name} has the invite: tap <b>💞 Accept</b> in ${b.name}'s phone.`;
  else if (a.status === "complete") text = "Thirty days together 🎉 <b>Reset</b> starts over.";
  else if (currentDay() === 0) text = "Paired! Tap <b>▶️ Start now</b> in either phone, or <b>Next prompt</b> above.";
  else if (currentDay() === DAYS) text = "Day 30: answer once more, then <b>Next prompt</b> brings the finale.";
  else
    text = `Answer in both phones (text, a photo 📎 or a voice note 🎙) to see the reveal. Then travel on: <b>Next prompt</b>, <b>+1 day</b> or <b>Jump to day ${nextMilestone()}</b>.`;
  // ``text`` is our own markup with names inserted as text below, never HTML from elsewhere.
  el.replaceChildren();
  const parts = text.split(/(<b>.*?<\/b>)/);
  for (const part of parts) {
    const bold = part.match(/^<b>(.*)<\/b>$/);
    el.append(bold ? h("b", {}, bold[1]) : part);
  }
}

// -- the event stream ----------------------------------------------------------------------------

function setState(state) {
  app.ready = true;
  app.bot = state.bot;
  app.commands = state.commands || [];
  app.clock = { now: state.now, at: performance.now() };
  app.people = state.people;
  const box = document.getElementById("phones");
  if (app.phones.size !== state.people.length) {
    box.replaceChildren();
    app.phones.clear();
    for (const person of state.people) {
      const phone = new Phone(person);
      app.phones.set(person.id, phone);
      box.append(phone.root);
    }
  }
  for (const person of state.people) {
    const phone = app.phones.get(person.id);
    phone.setPerson(person);
    phone.setMessages(state.chats[String(person.id)] || []);
    phone.setMode(null);
    phone.closeMenu();
  }
  renderClocks();
  renderJourney();
  renderCoach();
}

function onEvent(event) {
  if (event.type === "state") {
    setState(event);
    return;
  }
  if (!app.ready) return;
  const phone = event.chat ? app.phones.get(event.chat) : null;
  switch (event.type) {
    case "message":
    case "edit":
      phone?.upsert(event.message, event.type);
      renderCoach();
      break;
    case "delete":
      phone?.remove(event.id);
      break;
    case "toast":
      phone?.toast(event.text, event.alert);
      break;
    case "action":
      phone?.typing(event.action);
      break;
    case "commands":
      app.commands = event.commands;
      break;
    case "clock":
      app.clock = { now: event.now, at: performance.now() };
      tickClocks();
      break;
    case "people":
      app.people = event.people;
      for (const person of event.people) app.phones.get(person.id)?.setPerson(person);
      renderClocks();
      renderJourney();
      renderCoach();
      break;
    default:
      break;
  }
}

function connect() {
  const source = new EventSource("/api/events");
  source.addEventListener("message", (e) => onEvent(JSON.parse(e.data)));
  source.addEventListener("open", () => document.body.classList.remove("offline"));
  source.addEventListener("error", () => document.body.classList.add("offline"));
}

// -- start -------------------------------------------------------------------------------------

function init() {
  for (const button of document.querySelectorAll("[data-travel]")) {
    button.addEventListener("click", () => travel(button.dataset.travel));
  }
  document.getElementById("goto").addEventListener("submit", (e) => {
    e.preventDefault();
    const day = Number(document.getElementById("goto-day").value);
    travel("goto", day);
  });
  const reset = document.getElementById("reset");
  let armed = null;
  reset.addEventListener("click", async () => {
    if (!armed) {
      reset.classList.add("armed");
      reset.querySelector("span").textContent = "Sure? Tap again";
      armed = setTimeout(() => {
        armed = null;
        reset.classList.remove("armed");
        reset.querySelector("span").textContent = "Reset";
      }, 3000);
      return;
    }
    clearTimeout(armed);
    armed = null;
    reset.classList.remove("armed");
    reset.querySelector("span").textContent = "Starting over…";
    reset.disabled = true;
    try {
      await post("/api/reset", {});
      pageToast("A fresh start: new database, empty chats.");
    } finally {
      reset.disabled = false;
      reset.querySelector("span").textContent = "Reset";
    }
  });
  setInterval(tickClocks, 1000);
  connect();
}

init();
