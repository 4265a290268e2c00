// The workbench: sign-in, the work queue and one case at a time, on the public GraphQL API.
import { AuthError, CASE_QUERY, graphql, NetworkError, QUEUE_QUERY, RECORD_ACTION, ThrottledError } from "./api.js";
import { h } from "./dom.js";
import { API_LOCALE, LOCALES, texts, words } from "./i18n.js";
import { chinaTime, countdown, fromChinaLocal, toChinaLocal } from "./time.js";

const CONFIG = JSON.parse(document.getElementById("workbench-config").textContent);
const TOKEN_KEY = "aftersales.token";
const LOCALE_KEY = "aftersales.locale";
const HANDLED_KEY = "aftersales.handled";
const PAGE_SIZE = 20;
const POLL_MS = 30000;
const TICK_MS = 15000;
const ACTIONS = [
  "AGREE_REFUND", "AGREE_REFUND_AFTER_REJECTION", "INTERCEPT", "REISSUE",
  "REJECT_WITH_EVIDENCE", "APPEAL_FAST_REFUND", "UPLOAD_TRACKING", "PROMISE_SHIP_TIME",
  "APOLOGIZE_AND_PROMISE", "ACCEPT_RETURN", "REQUEST_EVIDENCE", "CONTACT_CARRIER",
  "INFORM_TRACKING", "GUIDE_TO_PLATFORM_SUPPORT", "NO_ACTION",
];

const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  locale: LOCALES.includes(localStorage.getItem(LOCALE_KEY)) ? localStorage.getItem(LOCALE_KEY) : "zh-CN",
  tab: "all", // "all", "overdue", "proactive" or an action
  kind: "",
  due: "",
  cursors: [null], // the `after` of each page seen, for going back
  queue: null,
  updatedAt: null,
  selected: 0,
  openId: null,
  at: null, // the "what if I wait until" time, ISO; null is now
  caseData: null,
  caseError: null,
  banner: null, // { message, retry }
  autoRetry: null,
  handled: JSON.parse(sessionStorage.getItem(HANDLED_KEY) || "{}"),
  firstPageShown: false,
};

const t = () => texts(state.locale);
const w = (value) => words(state.locale, value);
const root = document.getElementById("app");

function call(query, variables) {
  return graphql(CONFIG.graphql, state.token, query, variables);
}

// ---- failures -------------------------------------------------------------------------

function showFailure(error, retry) {
  if (error instanceof AuthError) {
    signOut(t().tokenRejected);
    return;
  }
  let message = error instanceof NetworkError ? t().networkError : `${t().loadFailed}: ${error.message}`;
  if (error instanceof ThrottledError) {
    // Too many requests for the token's budget: say so and try again by itself.
    message = t().throttled(error.retryAfter);
    clearTimeout(state.autoRetry);
    state.autoRetry = setTimeout(() => { state.banner = null; renderBanner(); retry(); }, error.retryAfter * 1000);
  }
  state.banner = { message, retry };
  renderBanner();
}

function renderBanner() {
  const slot = document.getElementById("banner");
  if (!slot) return;
  slot.replaceChildren();
  if (!state.banner) return;
  const { message, retry } = state.banner;
  slot.append(
    h("div", { class: "banner", role: "alert" },
      h("span", {}, message),
      h("button", { type: "button", id: "retry", onclick: () => { clearTimeout(state.autoRetry); state.banner = null; renderBanner(); retry(); } }, t().retry)),
  );
}

// ---- sign-in --------------------------------------------------------------------------

function signIn(token) {
  state.token = token;
  sessionStorage.setItem(TOKEN_KEY, token);
  renderShell();
  loadQueue();
  if (state.openId) loadCase();
}

function signOut(error) {
  state.token = null;
  state.queue = null;
  sessionStorage.removeItem(TOKEN_KEY);
  renderSignIn(error);
}

function renderSignIn(error) {
  document.documentElement.lang = state.locale;
  const input = h("input", { id: "token", name: "token", type: "password", autocomplete: "off", "aria-describedby": "token-error" });
  const form = h("form", { class: "sign-in", onsubmit: (event) => {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) return renderSignIn(t().tokenRequired);
    signIn(token);
  } },
    h("h1", {}, t().title),
    h("div", { class: "field", "data-field": "token" },
      h("label", { for: "token" }, t().tokenLabel),
      input,
      h("p", { class: "hint" }, t().tokenHint),
      error ? h("p", { class: "field-error", id: "token-error", role: "alert" }, error) : null),
    h("div", { class: "row" },
      h("button", { type: "submit", class: "primary" }, t().signIn),
      CONFIG.demoToken ? h("a", { href: "#", id: "demo-sign-in", onclick: (event) => { event.preventDefault(); signIn(CONFIG.demoToken); } }, t().demoSignIn) : null),
    languagePicker(() => renderSignIn(error)),
  );
  root.replaceChildren(form);
  input.focus();
}

function languagePicker(rerender) {
  return h("label", { class: "language" }, `${t().language} `,
    h("select", { id: "language", onchange: (event) => {
      state.locale = event.target.value;
      localStorage.setItem(LOCALE_KEY, state.locale);
      rerender();
    } }, LOCALES.map((l) => h("option", { value: l, selected: l === state.locale }, l === "en" ? "English" : "简体中文"))));
}

// ---- the shell --------------------------------------------------------------------------

function renderShell() {
  document.documentElement.lang = state.locale;
  document.title = `${t().title} · aftersales`;
  root.replaceChildren(
    h("header", { class: "top" },
      h("h1", {}, t().title),
      h("span", { class: "shop", id: "shop" }, state.queue?.shop.name ?? ""),
      h("span", { class: "spacer" }),
      languagePicker(() => { renderShell(); loadQueue(); if (state.openId) loadCase(); }),
      h("button", { type: "button", id: "sign-out", onclick: () => signOut() }, t().signOut)),
    h("div", { id: "banner" }),
    h("main", { class: `layout${state.openId ? " case-open" : ""}`, id: "layout" },
      h("section", { id: "queue-pane", "aria-label": t().queue }),
      h("section", { id: "case-pane", "aria-live": "polite" })),
    h("footer", { class: "keys" }, t().keys),
  );
  renderBanner();
  renderQueue();
  renderCase();
}

// ---- the queue --------------------------------------------------------------------------

function queueVariables(after) {
  const v = { first: PAGE_SIZE, after, locale: API_LOCALE[state.locale] };
  if (state.tab === "overdue") v.overdue = true;
  else if (state.tab === "proactive") v.proactive = true;
  else if (state.tab !== "all") v.action = [state.tab];
  if (state.kind) v.kind = state.kind;
  if (state.due) v.dueWithinHours = Number(state.due);
  return v;
}

async function loadQueue({ quiet = false } = {}) {
  if (!state.token) return;
  const after = state.cursors[state.cursors.length - 1];
  try {
    const data = await call(QUEUE_QUERY, queueVariables(after));
    state.queue = data;
    state.updatedAt = new Date();
    state.selected = Math.min(state.selected, Math.max(0, data.workQueue.edges.length - 1));
    if (state.banner) { state.banner = null; renderBanner(); }
    renderQueue();
    const shop = document.getElementById("shop");
    if (shop) shop.textContent = data.shop.name;
    if (!state.firstPageShown) {
      state.firstPageShown = true;
      performance.mark("workbench:first-queue-page");
    }
  } catch (error) {
    // A failed background poll keeps the page as it is and only shows the banner.
    showFailure(error, () => loadQueue({ quiet }));
  }
}

function caseId(node) {
  return node.refundRequest?.id ?? node.order.id;
}

function money(items) {
  if (!items?.length) return "—";
  return items.map((m) => `¥${m.amount} ${w(m.kind)}`).join(" · ");
}

function setTab(tab) {
  state.tab = tab;
  state.cursors = [null];
  state.selected = 0;
  loadQueue();
}

function renderQueue() {
  const pane = document.getElementById("queue-pane");
  if (!pane) return;
  const data = state.queue;
  if (!data) {
    pane.replaceChildren(h("p", { class: "loading" }, "…"));
    return;
  }
  const counts = data.shop.queueCounts;
  const tab = (id, label, count, overdue) => h("button", {
    type: "button", role: "tab", class: "tab", "data-tab": id, "aria-selected": String(state.tab === id),
    onclick: () => setTab(id),
  }, label, " ", h("span", { class: "count" }, count), overdue ? h("span", { class: "count overdue" }, `!${overdue}`) : null);
  const tabs = h("div", { class: "tabs", role: "tablist" },
    tab("all", t().all, counts.total),
    tab("overdue", t().overdue, counts.overdue),
    tab("proactive", t().proactive, data.proactiveItems.totalCount ?? 0),
    counts.byAction.map((c) => tab(c.action, w(c.action), c.count, c.overdue)));
  const select = (id, label, value, options, onchange) => h("label", { class: "filter" }, label, " ",
    h("select", { id, onchange: (event) => onchange(event.target.value) },
      options.map(([v, text]) => h("option", { value: v, selected: v === value }, text))));
  const filters = h("div", { class: "filters" },
    select("filter-kind", t().kind, state.kind,
      [["", t().kindAny], ["REFUND_REQUEST", w("REFUND_REQUEST")], ["ORDER", w("ORDER")]],
      (v) => { state.kind = v; state.cursors = [null]; loadQueue(); }),
    select("filter-due", t().dueWithin, state.due,
      [["", t().dueAny], ["4", t().dueHours(4)], ["24", t().dueHours(24)], ["72", t().dueHours(72)]],
      (v) => { state.due = v; state.cursors = [null]; loadQueue(); }),
    h("button", { type: "button", id: "refresh", onclick: () => loadQueue() }, t().refresh),
    h("span", { class: "updated" }, state.updatedAt ? t().updated(chinaTime(state.updatedAt.toISOString())) : ""));
  const edges = data.workQueue.edges;
  const list = h("ol", { class: "queue", id: "queue", role: "listbox", "aria-label": t().queue },
    edges.map(({ node }, index) => {
      const id = caseId(node);
      const handled = state.handled[id];
      return h("li", {
        class: `queue-item${node.overdue ? " overdue" : ""}${index === state.selected ? " selected" : ""}${id === state.openId ? " open" : ""}${handled ? " handled" : ""}`,
        role: "option", tabindex: index === state.selected ? "0" : "-1", "data-id": id, "data-kind": node.kind,
        "data-due-at": node.dueAt, "data-overdue": String(node.overdue), "aria-selected": String(index === state.selected),
        onclick: () => { state.selected = index; openCase(id); },
      },
        h("div", { class: "when" },
          h("strong", { class: "countdown", "data-due": node.dueAt, "data-what": node.deadlineKind }, countdown(node.dueAt, w(node.deadlineKind), t())),
          h("span", { class: "at" }, chinaTime(node.dueAt))),
        h("div", { class: "what" },
          h("span", { class: "action" }, w(node.decision.action)),
          handled ? h("span", { class: "badge" }, `${t().handled}: ${w(handled)}`) : null,
          node.decision.proactive ? h("span", { class: "badge proactive" }, t().proactive) : null),
        h("div", { class: "meta" },
          h("span", { class: "rule", title: node.decision.ruleSummary }, `${t().rule} ${node.decision.ruleId}`),
          h("span", { class: "money" }, money(node.decision.moneyAtRisk)),
          h("span", { class: "reason" }, node.refundRequest ? w(node.refundRequest.reason) : w(node.kind)),
          h("span", { class: "number" }, node.refundRequest?.refundNumber ?? node.order.orderNumber)));
    }));
  const page = state.cursors.length;
  const pager = h("div", { class: "pager" },
    h("button", { type: "button", id: "previous-page", disabled: page === 1, onclick: () => { state.cursors.pop(); state.selected = 0; loadQueue(); } }, t().previous),
    h("span", {}, t().page(page, data.workQueue.totalCount ?? edges.length)),
    h("button", { type: "button", id: "next-page", disabled: !data.workQueue.pageInfo.hasNextPage, onclick: () => { state.cursors.push(data.workQueue.pageInfo.endCursor); state.selected = 0; loadQueue(); } }, t().next));
  pane.replaceChildren(tabs, filters, edges.length ? list : h("p", { class: "empty" }, t().empty), pager);
}

function tick() {
  for (const el of document.querySelectorAll("[data-due]")) {
    el.textContent = countdown(el.dataset.due, w(el.dataset.what), t());
  }
}

// ---- the case ---------------------------------------------------------------------------

function openCase(id) {
  state.openId = id;
  state.at = null;
  state.caseData = null;
  history.replaceState(null, "", `#case=${encodeURIComponent(id)}`);
  document.getElementById("layout")?.classList.add("case-open");
  renderQueue();
  renderCase();
  loadCase();
}

function closeCase() {
  state.openId = null;
  state.caseData = null;
  history.replaceState(null, "", location.pathname);
  document.getElementById("layout")?.classList.remove("case-open");
  renderQueue();
  renderCase();
  document.querySelector(".queue-item.selected")?.focus();
}

async function loadCase() {
  const id = state.openId;
  if (!id || !state.token) return;
  try {
    const data = await call(CASE_QUERY, { id, at: state.at, locale: API_LOCALE[state.locale] });
    if (state.openId !== id) return;
    state.caseData = data.node;
    state.caseError = data.node ? null : "not found";
    renderCase();
  } catch (error) {
    showFailure(error, () => loadCase());
  }
}

function section(title, ...children) {
  return h("section", { class: "card" }, h("h3", {}, title), ...children);
}

function dl(pairs) {
  return h("dl", {}, pairs.filter(([, v]) => v != null && v !== "").map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
}

function shipmentView(shipment) {
  if (!shipment) return h("p", { class: "muted" }, t().noParcel);
  return h("div", { class: "parcel" },
    dl([
      [t().carrier, shipment.carrier ?? "—"],
      [t().tracking, h("span", { class: "tracking-number" }, shipment.trackingNumber ?? "—")],
      [w("PICKUP"), chinaTime(shipment.pickedUpAt)],
      [t().weightLabel, t().weight(shipment.recordedWeightG, shipment.expectedWeightG)],
    ]),
    shipment.events.length
      ? h("ol", { class: "timeline" }, shipment.events.map((e) => h("li", {},
        h("span", { class: "at" }, chinaTime(e.at)), " ", h("strong", {}, w(e.kind)), " ", e.place)))
      : h("p", { class: "muted" }, t().noEvents));
}

function copyButton(id, text) {
  const status = h("span", { class: "copy-status", role: "status", id: `${id}-status` });
  return [h("button", { type: "button", class: "copy", id, onclick: () => copy(text, status) }, t().copy), status];
}

async function copy(text, status) {
  let ok = false;
  try {
    await navigator.clipboard.writeText(text);
    ok = true;
  } catch {
    // Without clipboard permission: the old way, through a selected text area.
    const area = h("textarea", { class: "offscreen" }, text);
    document.body.append(area);
    area.select();
    ok = document.execCommand("copy");
    area.remove();
  }
  status.textContent = ok ? t().copied : t().copyFailed;
}

function decisionView(d) {
  const checklist = h("ul", { class: "checklist" }, d.evidence.map((e) => h("li", {
    class: e.needed ? (e.present ? "ok" : "missing") : "optional",
  }, e.present ? "✔ " : e.needed ? "✘ " : "· ", w(e.kind), " — ",
  e.needed ? (e.present ? t().present : t().missing) : (e.present ? t().present : t().notNeeded))));
  return h("div", { class: "decision" },
    h("p", { class: "action-words", id: "decision-action", "data-action": d.action }, w(d.action)),
    h("p", { class: "rule-line" }, `${t().rule} ${d.ruleId} · ${d.ruleSummary}`),
    h("p", { class: "evaluated" }, t().evaluatedAt(chinaTime(d.evaluatedAt))),
    section(t().rationale, h("p", { id: "rationale" }, d.rationale)),
    section(t().buyerMessage,
      h("div", { class: "script" }, h("h4", {}, "简体中文"), h("p", { id: "script-zh", lang: "zh-CN" }, d.scripts.zhCN), copyButton("copy-zh", d.scripts.zhCN)),
      h("div", { class: "script" }, h("h4", {}, "English"), h("p", { id: "script-en", lang: "en" }, d.scripts.en), copyButton("copy-en", d.scripts.en))),
    section(t().steps, h("ol", { class: "steps" }, d.steps.map((s) => h("li", {}, s)))),
    section(t().checklist, d.evidence.length ? checklist : h("p", { class: "muted" }, t().none)),
    section(t().deadlines, d.deadlines.length ? h("ul", { class: "deadlines" }, d.deadlines.map((x) => h("li", {},
      h("strong", { "data-due": x.at, "data-what": x.kind }, countdown(x.at, w(x.kind), t())), " · ",
      chinaTime(x.at), x.note ? ` · ${x.note}` : ""))) : h("p", { class: "muted" }, t().none)),
    section(t().money, h("p", { class: "money" }, money(d.moneyAtRisk))),
    d.signals.length ? section(t().signals, h("ul", {}, d.signals.map((s) => h("li", {}, s.message, " · ", chinaTime(s.dueAt))))) : null,
    section(t().alternatives, d.alternatives.length ? h("ul", { class: "alternatives" }, d.alternatives.map((a) => h("li", {},
      h("strong", {}, w(a.action)), ` (${a.ruleId}) — ${a.condition}`))) : h("p", { class: "muted" }, t().none)),
    h("details", { class: "card trace" }, h("summary", {}, `${t().trace} (${d.trace.length})`),
      h("ol", {}, d.trace.map((x) => h("li", { class: x.matched ? "matched" : "" },
        h("strong", {}, x.ruleId), ` ${x.matched ? t().matched : t().notMatched} — ${x.reason}`)))),
  );
}

function whatIfView() {
  const input = h("input", { type: "datetime-local", id: "what-if", value: state.at ? toChinaLocal(new Date(state.at)) : "" });
  return h("form", { class: "what-if card", onsubmit: (event) => {
    event.preventDefault();
    state.at = fromChinaLocal(input.value);
    loadCase();
  } },
    h("label", { for: "what-if" }, t().whatIf, " (UTC+8)"), input,
    h("button", { type: "submit", id: "ask-again" }, t().ask),
    h("button", { type: "button", onclick: () => { state.at = null; loadCase(); } }, t().now));
}

function fieldError(form, field, message) {
  const slot = form.querySelector(`[data-field="${field}"] .field-error`) ?? form.querySelector('[data-field="form"] .field-error');
  slot.textContent = slot.textContent ? `${slot.textContent}; ${message}` : message;
  slot.hidden = false;
  slot.closest("[data-field]")?.querySelector("input, select, textarea")?.setAttribute("aria-invalid", "true");
}

function actingView(c, d) {
  const errorSlot = (id) => h("p", { class: "field-error", role: "alert", id, hidden: true });
  const action = h("select", { id: "taken-action", name: "takenAction" },
    ACTIONS.filter((a) => a !== d.action).map((a) => h("option", { value: a }, w(a))));
  const note = h("textarea", { id: "note", name: "note", rows: 3, placeholder: t().notePlaceholder, "aria-describedby": "note-error" });
  const other = h("div", { class: "other", id: "other", hidden: true },
    h("div", { class: "field", "data-field": "takenAction" }, h("label", { for: "taken-action" }, t().takenAction), action, errorSlot("taken-action-error")),
    h("div", { class: "field", "data-field": "note" }, h("label", { for: "note" }, t().note), note, errorSlot("note-error")),
    h("div", { class: "row" }, h("button", { type: "submit", class: "primary", id: "record-other" }, t().record),
      h("button", { type: "button", onclick: () => { other.hidden = true; } }, t().cancel)));
  const form = h("form", { class: "acting card", id: "acting", novalidate: true, onsubmit: (event) => {
    event.preventDefault();
    if (!note.value.trim()) return fieldError(form, "note", t().noteRequired);
    record(form, c, d, action.value, note.value);
  } },
    h("h3", {}, t().acting),
    h("div", { class: "row" },
      h("button", { type: "button", class: "primary", id: "done-as-recommended", onclick: () => record(form, c, d, d.action, null) }, t().doneAsRecommended),
      h("button", { type: "button", id: "did-something-else", onclick: () => { other.hidden = false; action.focus(); } }, t().didSomethingElse)),
    other,
    h("div", { "data-field": "form" }, errorSlot("form-error")),
    h("p", { class: "recorded", id: "recorded", role: "status" }, state.handled[c.id] ? t().recorded(w(state.handled[c.id])) : ""));
  return form;
}

async function record(form, c, d, takenAction, note) {
  for (const slot of form.querySelectorAll(".field-error")) { slot.textContent = ""; slot.hidden = true; }
  const input = { takenAction, decisionAt: d.evaluatedAt, note };
  if (c.__typename === "RefundRequest") input.refundRequestId = c.id;
  else input.orderId = c.id;
  let payload;
  try {
    payload = (await call(RECORD_ACTION, { input })).recordAction;
  } catch (error) {
    showFailure(error, () => record(form, c, d, takenAction, note));
    return;
  }
  if (payload.userErrors.length) {
    for (const e of payload.userErrors) fieldError(form, e.field?.[e.field.length - 1] ?? "form", e.message);
    return;
  }
  state.handled[c.id] = payload.actionRecord.takenAction;
  sessionStorage.setItem(HANDLED_KEY, JSON.stringify(state.handled));
  form.querySelector("#recorded").textContent = t().recorded(w(payload.actionRecord.takenAction));
  form.querySelector("#recorded").dataset.recordId = payload.actionRecord.id;
  form.querySelector("#other").hidden = true;
  loadQueue({ quiet: true });
}

function renderCase() {
  const pane = document.getElementById("case-pane");
  if (!pane) return;
  if (!state.openId) {
    pane.replaceChildren(h("p", { class: "muted placeholder" }, t().keys));
    return;
  }
  const back = h("button", { type: "button", class: "back", id: "back", onclick: closeCase }, `← ${t().back}`);
  const c = state.caseData;
  if (!c) {
    pane.replaceChildren(back, h("p", { class: "loading" }, state.caseError ?? "…"));
    return;
  }
  const order = c.__typename === "RefundRequest" ? c.order : c;
  const shipment = c.__typename === "RefundRequest" ? (c.shipment ?? c.order.shipments[0]) : c.shipments[0];
  const d = c.decision;
  const head = h("header", { class: "case-head" },
    h("h2", { id: "case-title" }, c.__typename === "RefundRequest" ? `${t().refund} ${c.refundNumber}` : `${t().order} ${order.orderNumber}`));
  const facts = h("div", { class: "facts" },
    section(t().order, dl([
      ["#", order.orderNumber], [t().amount, `¥${order.amount}`], [t().status, w(order.status)],
      [t().platform, w(order.platform)], [t().confirmedAt, chinaTime(order.confirmedAt)], [t().shipBy, order.shipBy ? chinaTime(order.shipBy) : null],
    ])),
    section(t().parcel, shipmentView(shipment)),
    c.__typename === "RefundRequest" ? section(t().refund, dl([
      ["#", c.refundNumber], [t().reason, w(c.reason)], [t().type, w(c.type)], [t().status, w(c.refundStatus)],
      [t().amount, c.refundAmount ? `¥${c.refundAmount}` : null], [t().requestedAt, chinaTime(c.requestedAt)],
    ])) : null,
    section(t().evidence, order.evidence.length ? h("ul", { class: "evidence" }, order.evidence.map((e) => h("li", {},
      h("strong", {}, w(e.kind)), ` · ${e.reference} · ${chinaTime(e.capturedAt)}`))) : h("p", { class: "muted" }, t().noEvidence)));
  pane.replaceChildren(back, head,
    d ? h("div", { class: "case-body" }, h("div", { class: "main-col" }, decisionView(d), whatIfView(), actingView(c, d)), facts)
      : h("div", { class: "case-body" }, h("p", { class: "muted" }, t().noDecision), facts));
}

// ---- keyboard ---------------------------------------------------------------------------

function onKey(event) {
  if (!state.token || event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.target.closest?.("input, textarea, select")) return;
  const items = [...document.querySelectorAll(".queue-item")];
  if (event.key === "j" || event.key === "k") {
    if (!items.length) return;
    state.selected = Math.max(0, Math.min(items.length - 1, state.selected + (event.key === "j" ? 1 : -1)));
    items.forEach((el, i) => {
      el.classList.toggle("selected", i === state.selected);
      el.setAttribute("aria-selected", String(i === state.selected));
      el.tabIndex = i === state.selected ? 0 : -1;
    });
    items[state.selected].focus();
    items[state.selected].scrollIntoView({ block: "nearest" });
    event.preventDefault();
  } else if (event.key === "Enter" && event.target.closest?.(".queue-item, body") && !event.target.closest("button, a")) {
    if (items[state.selected]) { openCase(items[state.selected].dataset.id); event.preventDefault(); }
  } else if (event.key === "c") {
    document.getElementById("copy-zh")?.click();
  } else if (event.key === "Escape" && state.openId) {
    closeCase();
  }
}

// ---- start ------------------------------------------------------------------------------

document.addEventListener("keydown", onKey);
const fromHash = /^#case=(.+)$/.exec(location.hash);
if (fromHash) state.openId = decodeURIComponent(fromHash[1]);
if (state.token) {
  renderShell();
  loadQueue();
  if (state.openId) loadCase();
} else {
  renderSignIn();
}
setInterval(() => { if (state.token && !document.hidden) loadQueue({ quiet: true }); }, POLL_MS);
setInterval(tick, TICK_MS);
