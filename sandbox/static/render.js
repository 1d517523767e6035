// Telegram HTML → DOM nodes, safely.
//
// The bot writes Telegram's small HTML subset (b, i, u, s, a, code, pre, blockquote, spoilers).
// The text is parsed in an inert document (DOMParser: nothing runs, nothing loads) and only the
// allowed tags are rebuilt as fresh elements; every other tag keeps its text and loses itself,
// attributes are never copied, and links keep an href only for http(s), tg: and mailto:.
// Plain text gets what Telegram clients add: links for URLs and for /commands.

const SAFE_LINK = /^(https?:|tg:|mailto:)/i;
const URL_OR_COMMAND = /(https?:\/\/[^\s<>"]+)|(^|[\s(])(\/[a-zA-Z0-9_]{1,32})(?![\w/])/g;
const TRAILING = /[.,;:!?)\]'"»]+$/;

const TAGS = {
  B: "strong", STRONG: "strong",
  I: "em", EM: "em",
  U: "u", INS: "u",
  S: "s", STRIKE: "s", DEL: "s",
  CODE: "code",
};

/** A fragment for Telegram HTML ``html``; ``hooks.link(url, event)`` and ``hooks.command(cmd)``. */
export function renderHtml(html, hooks = {}) {
  const doc = new DOMParser().parseFromString(`<!doctype html><body>${html}`, "text/html");
  const out = document.createDocumentFragment();
  convert(doc.body, out, hooks, false);
  return out;
}

/** A fragment for plain ``text`` (what the user wrote): only links and /commands. */
export function renderText(text, hooks = {}) {
  const out = document.createDocumentFragment();
  appendText(out, text, hooks, false);
  return out;
}

function convert(source, target, hooks, inLink) {
  for (const node of source.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      appendText(target, node.data, hooks, inLink);
      continue;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) continue;
    const made = element(node, hooks, inLink);
    if (made === null) {
      convert(node, target, hooks, inLink); // not allowed: keep the text, drop the tag
      continue;
    }
    const [el, inner, linked] = made;
    convert(node, inner, hooks, linked);
    target.append(el);
  }
}

/** [element, where its children go, children are inside a link] or null for "unwrap". */
function element(node, hooks, inLink) {
  const tag = node.tagName;
  if (TAGS[tag]) {
    const el = document.createElement(TAGS[tag]);
    return [el, el, inLink || tag === "CODE"];
  }
  if (tag === "A") {
    const href = (node.getAttribute("href") || "").trim();
    if (inLink || !SAFE_LINK.test(href)) return null;
    return [...linkElement(href, hooks), true];
  }
  if (tag === "TG-SPOILER" || (tag === "SPAN" && node.classList.contains("tg-spoiler"))) {
    const el = document.createElement("span");
    el.className = "spoiler";
    el.title = "Spoiler: tap to reveal";
    el.addEventListener("click", (event) => {
      if (!el.classList.contains("revealed")) {
        event.preventDefault();
        event.stopPropagation();
        el.classList.add("revealed");
      }
    });
    return [el, el, inLink];
  }
  if (tag === "BLOCKQUOTE") {
    const el = document.createElement("blockquote");
    if (node.hasAttribute("expandable")) {
      el.classList.add("expandable", "collapsed");
      el.title = "Tap to expand";
      el.addEventListener("click", () => el.classList.remove("collapsed"));
    }
    return [el, el, inLink];
  }
  if (tag === "PRE") {
    const el = document.createElement("pre");
    const lang = node.querySelector(":scope > code[class^='language-']");
    if (lang) el.dataset.lang = lang.className.slice("language-".length).slice(0, 20);
    return [el, el, true];
  }
  return null; // span without the spoiler class, tg-emoji (its text is the emoji), anything else
}

function linkElement(href, hooks) {
  const a = document.createElement("a");
  a.href = href;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  a.className = "link";
  a.addEventListener("click", (event) => hooks.link?.(href, event));
  return [a, a];
}

function appendText(target, text, hooks, inLink) {
  if (inLink) {
    target.append(text);
    return;
  }
  let last = 0;
  for (const match of text.matchAll(URL_OR_COMMAND)) {
    let start = match.index;
    let value = match[1];
    if (value) {
      const trimmed = value.replace(TRAILING, "");
      target.append(text.slice(last, start));
      const [a] = linkElement(trimmed, hooks);
      a.textContent = trimmed;
      target.append(a);
      last = start + trimmed.length;
      continue;
    }
    start += match[2].length;
    value = match[3];
    target.append(text.slice(last, start));
    const a = document.createElement("a");
    a.href = "#";
    a.className = "command";
    a.textContent = value;
    a.addEventListener("click", (event) => {
      event.preventDefault();
      hooks.command?.(value);
    });
    target.append(a);
    last = start + value.length;
  }
  target.append(text.slice(last));
}
