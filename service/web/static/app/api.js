// The GraphQL client: one POST per call, failures sorted into kinds the UI can show.

export class NetworkError extends Error {}
export class AuthError extends Error {}
export class RequestError extends Error {}
// The token's query-cost bucket is empty: the same request works after `retryAfter` s.
export class ThrottledError extends Error {
  constructor(message, retryAfter) {
    super(message);
    this.retryAfter = retryAfter;
  }
}

// `extra` adds headers (an Idempotency-Key) and fetch options (keepalive).
export async function graphql(endpoint, token, query, variables, extra = {}) {
  let response;
  try {
    response = await fetch(endpoint, {
      method: "POST",
      keepalive: extra.keepalive ?? false,
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        Authorization: `Bearer ${token}`,
        ...(extra.headers ?? {}),
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch (error) {
    throw new NetworkError(String(error));
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const message = body?.errors?.map((e) => e.message).join("; ") || `HTTP ${response.status}`;
  if (response.status === 401 || response.status === 403) throw new AuthError(message);
  if (response.status === 429) {
    throw new ThrottledError(message, Math.max(1, Number(response.headers.get("Retry-After")) || 5));
  }
  if (response.status >= 500 || body === null) throw new NetworkError(message);
  if (body.errors?.length && !body.data) throw new RequestError(message);
  return body.data;
}

const ITEM = `
  kind dueAt deadlineKind overdue lastAction lastActionAt
  claim { agentId agentName expiresAt }
  order { id orderNumber amount platform }
  refundRequest { id refundNumber reason amount }
  decision(locale: $locale) {
    action ruleId ruleSummary proactive
    moneyAtRisk { kind amount }
  }`;

// The queue page, the counts for the tabs, who is signed in and the disruptions: one
// request. `mine` needs an agent's token, so it is asked once the viewer is known.
export const QUEUE_QUERY = `
query WorkbenchQueue($first: Int, $after: String, $action: [Action!], $overdue: Boolean,
    $proactive: Boolean, $kind: WorkItemKind, $dueWithinHours: Int, $locale: Locale!,
    $assignee: Assignee, $agent: Boolean!) {
  viewer { role agent { id displayName } }
  shop { name platform queueCounts { total overdue byAction { action count overdue } } }
  disruptions { carrier place count firstSeen }
  proactiveItems: workQueue(proactive: true, first: 1) { totalCount }
  mine: workQueue(assignee: ME, first: 1) @include(if: $agent) { totalCount }
  workQueue(first: $first, after: $after, action: $action, overdue: $overdue,
      proactive: $proactive, kind: $kind, dueWithinHours: $dueWithinHours, assignee: $assignee) {
    totalCount
    edges { cursor node { ${ITEM} } }
    pageInfo { hasNextPage endCursor }
  }
}`;

const DECISION = `
  action ruleId ruleSummary rationale steps
  evidence { kind needed present }
  deadlines { kind at note }
  moneyAtRisk { kind amount }
  alternatives { action ruleId condition }
  trace { ruleId matched reason }
  signals { kind dueAt message }
  scripts { zhCN en }
  script(locale: $locale)
  evaluatedAt overdue proactive`;

const ORDER = `
  id orderNumber platform amount status confirmedAt shipBy
  evidence { kind source reference capturedAt }`;

const SHIPMENT = `
  carrier trackingNumber trackingUploadedAt pickedUpAt signer
  outboundRecorded expectedWeightG recordedWeightG
  events { at kind place }`;

// A case is a refund request or an order; its decision may be asked for another time.
export const CASE_QUERY = `
query WorkbenchCase($id: ID!, $at: DateTime, $locale: Locale!) {
  node(id: $id) {
    __typename
    ... on RefundRequest {
      id refundNumber type reason refundStatus: status requestedAt refundAmount: amount threatensReview
      order { ${ORDER} shipments { ${SHIPMENT} } }
      shipment { ${SHIPMENT} }
      decision(at: $at, locale: $locale) { ${DECISION} }
    }
    ... on Order {
      ${ORDER}
      shipments { ${SHIPMENT} }
      decision(at: $at, locale: $locale) { ${DECISION} }
    }
  }
}`;

export const RECORD_ACTION = `
mutation WorkbenchRecordAction($input: RecordActionInput!) {
  recordAction(input: $input) {
    actionRecord { id takenAction overridden }
    userErrors { field code message }
  }
}`;

export const CLAIM_CASE = `
mutation WorkbenchClaim($input: ClaimCaseInput!) {
  claimCase(input: $input) {
    claim { agentId agentName expiresAt }
    userErrors { field code message }
  }
}`;

export const RELEASE_CLAIM = `
mutation WorkbenchRelease($input: ClaimCaseInput!) {
  releaseClaim(input: $input) { released userErrors { code message } }
}`;

export const GROUPS_QUERY = `
query WorkbenchGroups {
  disruptions { carrier place count firstSeen }
  caseGroups {
    action carrier place scenario count moneyAtRisk soonestDueAt
    message { zhCn en placeholders }
  }
}`;

// The queue items of one action, with what places them in a group (carrier and place).
export const GROUP_CASES_QUERY = `
query WorkbenchGroupCases($action: [Action!], $after: String) {
  workQueue(action: $action, first: 100, after: $after) {
    edges { node { order { id } refundRequest { id } carrier lastScanPlace } }
    pageInfo { hasNextPage endCursor }
  }
}`;

export const RECORD_ACTIONS = `
mutation WorkbenchRecordActions($input: RecordActionsInput!) {
  recordActions(input: $input) {
    actionRecords { id }
    userErrors { field code message }
  }
}`;

// What the queue listens to: any event of the shop refreshes it.
export const CASE_EVENTS = `
subscription WorkbenchEvents {
  caseEvents { id type orderId refundRequestId payload }
}`;
