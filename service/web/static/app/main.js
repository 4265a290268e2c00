// The workbench: sign-in, the work queue and one case at a time, on the public GraphQL API.
import * as api from "./api.js";
import { h } from "./dom.js";

const {
  AuthError, CASE_QUERY, CLAIM_CASE, graphql, GROUP_CASES_QUERY, GROUPS_QUERY, NetworkError, QUEUE_QUERY,
  RECORD_ACTION, RECORD_ACTIONS, RELEASE_CLAIM, ThrottledError,
} = api;
import { API_LOCALE, LOCALES, texts, words } from "./i18n.js";
import { connect } from "./live.js";
import { chinaTime, countdown, fromChinaLocal, toChinaLocal } from "./time.js";

const CONFIG = JSON.parse(document.getElementById("workbench-config").textContent);
const TOKEN_KEY = "aftersales.token";
const LOCALE_KEY = "aftersales.locale";
const HANDLED_KEY = "aftersales.handled";
const VIEWER_KEY = "aftersales.viewer";
// A claim lasts the shop's lease (15 min by default); renewed well before it ends.
const RENEW_MS = 5 * 60000;
const RECONNECT_MS = 30000;
const EVENT_DEBOUNCE_MS = 250;
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
  viewer: JSON.parse(sessionStorage.getItem(VIEWER_KEY) || "null"), // { role, agent }
  claim: null, // the open case's: { id, held: Claim | null, refused: text | null }
  renewTimer: null,
  groupsOpen: false,
  groups: null,
  groupStatus: {}, // group key -> { text, busy, error }
  groupResult: null, // the last group recorded: { text, ids }
  live: null, // the websocket, while connected or connecting
  liveUp: false,
  liveRetry: null,
  claimPending: null,
  eventTimer: null,
};

const t = () => texts(state.locale);
const w = (value) => words(state.locale, value);
const root = document.getElementById("app");

function call(query, variables, extra) {
  return graphql(CONFIG.graphql, state.token, query, variables, extra);
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
  state.viewer = null;
  sessionStorage.setItem(TOKEN_KEY, token);
  sessionStorage.removeItem(VIEWER_KEY);
  renderShell();
  loadQueue();
  if (state.openId) { loadCase(); claimOpenCase(); }
  if (state.groupsOpen) loadGroups();
  startLive();
}

function signOut(error) {
  releaseOpenCase();
  stopLive();
  state.token = null;
  state.queue = null;
  state.viewer = null;
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(VIEWER_KEY);
  renderSignIn(error);
}

// ---- live updates -----------------------------------------------------------------------

// Events of the shop refresh the queue at once; while the socket is down the queue is
// polled every 30 s and the socket tried again.
function startLive() {
  stopLive();
  if (!state.token || typeof WebSocket === "undefined") return;
  const token = state.token;
  state.live = connect(CONFIG.graphql, token, {
    onUp: () => { state.liveUp = true; renderLive(); },
    onEvent: (event) => {
      // This agent's own claims and records: the page already shows them.
      if (ownMove(event)) return;
      clearTimeout(state.eventTimer);
      state.eventTimer = setTimeout(() => {
        loadQueue({ quiet: true });
        if (state.groupsOpen) loadGroups();
      }, EVENT_DEBOUNCE_MS);
    },
    onDown: () => {
      state.live = null;
      state.liveUp = false;
      renderLive();
      clearTimeout(state.liveRetry);
      state.liveRetry = setTimeout(() => { if (state.token === token) startLive(); }, RECONNECT_MS);
    },
  });
}

function stopLive() {
  clearTimeout(state.liveRetry);
  state.live?.close();
  state.live = null;
  state.liveUp = false;
}

function renderLive() {
  document.body.dataset.live = state.liveUp ? "up" : "down";
  const el = document.getElementById("live-status");
  if (el) {
    el.textContent = state.liveUp ? t().liveUp : t().liveDown;
    el.className = `live ${state.liveUp ? "up" : "down"}`;
  }
}

// ---- claims -----------------------------------------------------------------------------

// A global id is base64 of "Type:pk": the claim input names the case by its type.
function caseInput(id) {
  let type = "";
  try { type = atob(id.replaceAll("-", "+").replaceAll("_", "/").padEnd(Math.ceil(id.length / 4) * 4, "=")).split(":")[0]; } catch { type = ""; }
  return type === "RefundRequest" ? { refundRequestId: id } : { orderId: id };
}

function holderOf(id) {
  const edge = state.queue?.workQueue.edges.find(({ node }) => caseId(node) === id);
  return edge?.node.claim ?? null;
}

async function claimOpenCase() {
  const id = state.openId;
  if (!id || !state.token || !state.viewer?.agent || state.claimPending === id) return;
  let payload;
  state.claimPending = id;
  try {
    payload = (await call(CLAIM_CASE, { input: caseInput(id) })).claimCase;
  } catch (error) {
    if (error instanceof AuthError) showFailure(error, () => claimOpenCase());
    return; // the case stays usable; the next renewal tries again
  } finally {
    state.claimPending = null;
  }
  if (state.openId !== id) return;
  const refused = payload.userErrors[0];
  state.claim = { id, held: payload.claim, refused: refused ?? null };
  // The queue shows the new holder without asking the API again.
  const edge = state.queue?.workQueue.edges.find(({ node }) => caseId(node) === id);
  if (edge && payload.claim) {
    const wasMine = edge.node.claim?.agentId === payload.claim.agentId;
    edge.node.claim = payload.claim;
    if (!wasMine && state.queue.mine) state.queue.mine.totalCount += 1;
    renderQueue();
  }
  renderClaim();
  clearTimeout(state.renewTimer);
  state.renewTimer = setTimeout(() => { if (state.openId === id) claimOpenCase(); }, RENEW_MS);
}

function releaseOpenCase({ leaving = false } = {}) {
  clearTimeout(state.renewTimer);
  const held = state.claim?.held ? state.claim.id : null;
  state.claim = null;
  if (!held || !state.token) return;
  const edge = state.queue?.workQueue.edges.find(({ node }) => caseId(node) === held);
  if (edge) {
    edge.node.claim = null;
    if (state.queue.mine?.totalCount) state.queue.mine.totalCount -= 1;
  }
  // keepalive: the release still goes out when the page is being closed.
  call(RELEASE_CLAIM, { input: caseInput(held) }, { keepalive: leaving }).catch(() => {});
}

function claimView() {
  return h("div", { id: "claim-status", class: "claim-status", role: "status" });
}

function renderClaim() {
  const slot = document.getElementById("claim-status");
  if (!slot) return;
  slot.replaceChildren();
  slot.className = "claim-status";
  const c = state.claim;
  if (!c || c.id !== state.openId) return;
  if (c.held) {
    slot.classList.add("mine");
    slot.append(t().claimHeld(chinaTime(c.held.expiresAt)));
  } else if (c.refused?.code === "CLAIMED_BY_OTHER") {
    const holder = holderOf(c.id);
    slot.classList.add("other");
    slot.setAttribute("role", "alert");
    slot.dataset.code = "CLAIMED_BY_OTHER";
    slot.append(holder ? t().claimedByOther(holder.agentName, chinaTime(holder.expiresAt)) : t().claimRefused(c.refused.message));
  } else if (c.refused) {
    slot.classList.add("other");
    slot.append(t().claimRefused(c.refused.message));
  }
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

const TEAM_EVENTS = new Set(["case.claimed", "case.claim_released", "case.action_recorded"]);

function ownMove(event) {
  const me = state.viewer?.agent?.id;
  if (!me || !TEAM_EVENTS.has(event.type)) return false;
  try {
    return JSON.parse(event.payload).data?.actorAgentId === me;
  } catch {
    return false;
  }
}

function viewerName() {
  if (!state.viewer) return "";
  return state.viewer.agent ? t().signedInAs(state.viewer.agent.displayName) : t().shopToken;
}

function renderShell() {
  document.documentElement.lang = state.locale;
  document.title = `${t().title} · aftersales`;
  root.replaceChildren(
    h("header", { class: "top" },
      h("h1", {}, t().title),
      h("span", { class: "shop", id: "shop" }, state.queue?.shop.name ?? ""),
      h("span", { class: "viewer", id: "viewer" }, viewerName()),
      h("span", { class: "spacer" }),
      h("span", { id: "live-status", class: "live", role: "status" }),
      languagePicker(() => { renderShell(); loadQueue(); if (state.openId) loadCase(); if (state.groupsOpen) loadGroups(); }),
      h("button", { type: "button", id: "sign-out", onclick: () => signOut() }, t().signOut)),
    h("div", { id: "banner" }),
    h("main", { class: `layout${state.openId || state.groupsOpen ? " case-open" : ""}`, id: "layout" },
      h("section", { id: "queue-pane", "aria-label": t().queue }),
      h("section", { id: "case-pane", "aria-live": "polite" })),
    h("footer", { class: "keys" }, t().keys),
  );
  renderBanner();
  renderLive();
  renderQueue();
  renderCase();
}

// ---- the queue --------------------------------------------------------------------------

function queueVariables(after) {
  const agent = Boolean(state.viewer?.agent);
  const v = { first: PAGE_SIZE, after, locale: API_LOCALE[state.locale], agent };
  if (state.tab === "mine" && agent) v.assignee = "ME";
  else if (state.tab === "overdue") v.overdue = true;
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
    const variables = queueVariables(after);
    const data = await call(QUEUE_QUERY, variables);
    state.queue = data;
    state.updatedAt = new Date();
    state.viewer = data.viewer;
    sessionStorage.setItem(VIEWER_KEY, JSON.stringify(data.viewer));
    const viewer = document.getElementById("viewer");
    if (viewer) viewer.textContent = viewerName();
    // Signed in as an agent for the first time in this tab: ask once more with the
    // "mine" count (later loads know the viewer from sessionStorage).
    if (data.viewer.agent && !variables.agent) {
      setTimeout(() => loadQueue({ quiet: true }), 0);
      if (state.openId && !state.claim) claimOpenCase();
    }
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
    state.viewer?.agent ? tab("mine", t().mine, data.mine?.totalCount ?? "…") : null,
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
      const mine = node.claim && node.claim.agentId === state.viewer?.agent?.id;
      return h("li", {
        class: `queue-item${node.overdue ? " overdue" : ""}${index === state.selected ? " selected" : ""}${id === state.openId ? " open" : ""}${node.claim ? " claimed" : ""}`,
        role: "option", tabindex: index === state.selected ? "0" : "-1", "data-id": id, "data-kind": node.kind, "data-tab-shown": state.tab,
        "data-due-at": node.dueAt, "data-overdue": String(node.overdue), "aria-selected": String(index === state.selected),
        onclick: () => { state.selected = index; openCase(id); },
      },
        h("div", { class: "when" },
          h("strong", { class: "countdown", "data-due": node.dueAt, "data-what": node.deadlineKind }, countdown(node.dueAt, w(node.deadlineKind), t())),
          h("span", { class: "at" }, chinaTime(node.dueAt))),
        h("div", { class: "what" },
          h("span", { class: "action" }, w(node.decision.action)),
          node.claim ? h("span", { class: `badge claim-badge${mine ? " mine" : ""}`, "data-agent-id": node.claim.agentId, title: chinaTime(node.claim.expiresAt) },
            mine ? t().claimMine : t().claimedBy(node.claim.agentName)) : null,
          node.lastAction ? h("span", { class: "badge last-action", title: chinaTime(node.lastActionAt) }, `${t().lastAction}: ${w(node.lastAction)}`) : null,
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
  const disruptions = (data.disruptions ?? []).map((d) => h("button", {
    type: "button", class: "disruption", "data-carrier": d.carrier, "data-place": d.place, onclick: openGroups,
  }, h("strong", {}, t().disruption(d, chinaTime(d.firstSeen))), " ", h("span", { class: "open-groups" }, t().openGroups)));
  const banner = disruptions.length ? h("div", { id: "disruption-banner", role: "alert" }, disruptions) : null;
  pane.replaceChildren(...[banner, tabs, filters, edges.length ? list : h("p", { class: "empty" }, t().empty), pager].filter(Boolean));
}

function tick() {
  for (const el of document.querySelectorAll("[data-due]")) {
    el.textContent = countdown(el.dataset.due, w(el.dataset.what), t());
  }
}

// ---- the case ---------------------------------------------------------------------------

function openCase(id) {
  if (state.openId !== id) releaseOpenCase();
  state.openId = id;
  state.groupsOpen = false;
  state.at = null;
  state.caseData = null;
  history.replaceState(null, "", `#case=${encodeURIComponent(id)}`);
  document.getElementById("layout")?.classList.add("case-open");
  renderQueue();
  renderCase();
  loadCase();
  claimOpenCase();
}

function closeCase() {
  releaseOpenCase();
  state.openId = null;
  state.groupsOpen = false;
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
  // The record ended the claim on the server; nothing to renew or release.
  clearTimeout(state.renewTimer);
  state.claim = null;
  renderClaim();
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
  if (state.groupsOpen) return renderGroups(pane);
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
  pane.replaceChildren(back, head, claimView(),
    d ? h("div", { class: "case-body" }, h("div", { class: "main-col" }, decisionView(d), whatIfView(), actingView(c, d)), facts)
      : h("div", { class: "case-body" }, h("p", { class: "muted" }, t().noDecision), facts));
  renderClaim();
}

// ---- groups: a disruption handled in bulk -------------------------------------------------

function openGroups() {
  releaseOpenCase();
  state.groupResult = null;
  state.openId = null;
  state.caseData = null;
  state.groupsOpen = true;
  history.replaceState(null, "", "#groups");
  document.getElementById("layout")?.classList.add("case-open");
  renderQueue();
  renderCase();
  loadGroups();
}

async function loadGroups() {
  if (!state.token) return;
  try {
    const data = await call(GROUPS_QUERY, {});
    state.groups = data;
    if (state.groupsOpen) renderCase();
  } catch (error) {
    showFailure(error, () => loadGroups());
  }
}

function groupKey(g) {
  return `${g.action}|${g.carrier}|${g.place}`;
}

// A random key per attempt: a retried request (a lost answer) records the group once.
function idempotencyKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return `wb-${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

// The queue items in a group, as caseGroups places them: action, carrier and place.
async function casesOf(group) {
  const out = [];
  let after = null;
  for (let pages = 0; pages < 20 && out.length < 500; pages += 1) {
    let data;
    try {
      data = await call(GROUP_CASES_QUERY, { action: [group.action], after });
    } catch (error) {
      if (!(error instanceof ThrottledError)) throw error;
      await new Promise((resolve) => setTimeout(resolve, error.retryAfter * 1000));
      pages -= 1;
      continue;
    }
    for (const { node } of data.workQueue.edges) {
      if (node.carrier !== group.carrier || node.lastScanPlace !== group.place) continue;
      out.push(node.refundRequest ? { refundRequestId: node.refundRequest.id } : { orderId: node.order.id });
    }
    if (!data.workQueue.pageInfo.hasNextPage) break;
    after = data.workQueue.pageInfo.endCursor;
  }
  return out.slice(0, 500);
}

async function recordGroup(group) {
  const key = groupKey(group);
  const status = (text, extra = {}) => { state.groupStatus[key] = { text, ...extra }; renderCase(); };
  status(t().recordingGroup, { busy: true });
  try {
    const cases = await casesOf(group);
    if (!cases.length) return status(t().groupEmpty);
    const input = { cases, takenAction: group.action, note: t().bulkNote };
    const headers = { "Idempotency-Key": idempotencyKey() };
    const payload = (await call(RECORD_ACTIONS, { input }, { headers })).recordActions;
    if (payload.userErrors.length) {
      return status(payload.userErrors.map((e) => e.message).join("; "), { error: true });
    }
    // The group leaves the list once its cases leave the queue: the result stays above it.
    state.groupResult = { text: t().groupRecorded(payload.actionRecords.length), ids: payload.actionRecords.map((r) => r.id) };
    status("");
    loadQueue({ quiet: true });
    loadGroups();
  } catch (error) {
    status("", {});
    showFailure(error, () => recordGroup(group));
  }
}

function groupView(g, index) {
  const key = groupKey(g);
  const st = state.groupStatus[key];
  const placeholders = g.message.placeholders.join(" ");
  return h("li", { class: `card group${g.scenario ? " in-disruption" : ""}`, "data-group": key, "data-count": g.count },
    h("h3", {},
      h("span", { class: "action" }, w(g.action)), " · ",
      h("span", { class: "count" }, t().groupCount(g.count)),
      g.scenario ? h("span", { class: "badge scenario" }, w(g.scenario)) : null),
    dl([
      [t().carrier, g.carrier || "—"], [t().place, g.place || "—"],
      [t().money, `¥${g.moneyAtRisk}`], [t().soonestDue, g.soonestDueAt ? chinaTime(g.soonestDueAt) : null],
    ]),
    h("h4", {}, t().broadcast),
    h("div", { class: "script" }, h("h4", {}, "简体中文"), h("p", { class: "broadcast-zh", lang: "zh-CN" }, g.message.zhCn), copyButton(`copy-group-${index}-zh`, g.message.zhCn)),
    h("div", { class: "script" }, h("h4", {}, "English"), h("p", { class: "broadcast-en", lang: "en" }, g.message.en), copyButton(`copy-group-${index}-en`, g.message.en)),
    placeholders ? h("p", { class: "hint" }, t().placeholders(placeholders)) : null,
    h("div", { class: "row" },
      h("button", { type: "button", class: "primary group-record", disabled: st?.busy, onclick: () => recordGroup(g) }, t().sentAndRecorded),
      h("span", { class: `group-status${st?.error ? " field-error" : ""}`, role: "status" }, st?.text ?? "")));
}

function renderGroups(pane) {
  const back = h("button", { type: "button", class: "back", id: "back", onclick: closeCase }, `← ${t().back}`);
  const data = state.groups;
  if (!data) {
    pane.replaceChildren(back, h("p", { class: "loading" }, "…"));
    return;
  }
  // Groups inside a disruption first; a group of one is no bulk work.
  const groups = [...data.caseGroups.filter((g) => g.scenario), ...data.caseGroups.filter((g) => !g.scenario && g.count > 1)];
  const result = state.groupResult;
  pane.replaceChildren(back,
    h("h2", { id: "groups-title" }, t().groupsTitle),
    h("p", {
      id: "group-result", class: "group-status", role: "status",
      "data-recorded": result ? String(result.ids.length) : null, "data-record-ids": result ? result.ids.join(",") : null,
    }, result?.text ?? ""),
    groups.length ? h("ol", { class: "groups", id: "groups" }, groups.map(groupView)) : h("p", { class: "muted" }, t().noGroups));
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
  } else if (event.key === "Escape" && (state.openId || state.groupsOpen)) {
    closeCase();
  }
}

// ---- start ------------------------------------------------------------------------------

document.addEventListener("keydown", onKey);
const fromHash = /^#case=(.+)$/.exec(location.hash);
if (fromHash) state.openId = decodeURIComponent(fromHash[1]);
state.groupsOpen = location.hash === "#groups";
if (state.token) {
  renderShell();
  loadQueue();
  if (state.openId) { loadCase(); claimOpenCase(); }
  if (state.groupsOpen) loadGroups();
  startLive();
} else {
  renderSignIn();
}
// Polling only while the event socket is down.
setInterval(() => { if (state.token && !state.liveUp && !document.hidden) loadQueue({ quiet: true }); }, POLL_MS);
addEventListener("pagehide", () => { releaseOpenCase({ leaving: true }); state.live?.close(); });
setInterval(tick, TICK_MS);
