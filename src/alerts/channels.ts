// Delivery: what a message looks like on each channel, and the two senders. Everything due in
// one run goes out as ONE message per channel: a batch that parks 30 submissions must not post
// 30 webhooks (Slack and Discord rate-limit incoming webhooks to about one per second) and 30
// e-mails. The senders throw; index.ts turns that into a logged, redacted `ok: false`.
import { makeRedactor } from '../logging/index.js';

export interface AlertItem {
  kind: 'opened' | 'cleared';
  fingerprint: string;
  title: string;
  detail: string;
  facts: Record<string, string>;
}

export interface AlertMessage {
  /** E-mail subject, Teams `summary` (the notification line). */
  subject: string;
  /** Teams card title. */
  title: string;
  /** The whole message as plain text: e-mail body, Discord content, Slack/Teams text. */
  text: string;
  items: AlertItem[];
}

const LABEL = { opened: 'PROBLEM', cleared: 'RESOLVED' } as const;
// Discord answers 400 to a `content` over 2000 characters.
export const DISCORD_MAX = 2000;
// Slack accepts 40,000 characters and Teams cards about 28 KB; an alert needs far less, and
// one huge error message (a stack, an HTML error page) must not push the card over a limit.
const TEXT_MAX = 8000;
const DETAIL_MAX = 1000;
const FACT_MAX = 300;
const SECTIONS_MAX = 10;

/** By code point, so an emoji or accented letter is never cut in half. */
export function truncate(s: string, max: number): string {
  const chars = Array.from(s);
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

export function buildMessage(items: AlertItem[], ctx: { host: string; runId: string }): AlertMessage {
  const opened = items.filter((i) => i.kind === 'opened').length;
  const cleared = items.length - opened;
  const first = items[0];
  const headline =
    items.length === 1 && first
      ? `${LABEL[first.kind]}: ${first.title}`
      : [opened > 0 ? `${opened} new problem${opened === 1 ? '' : 's'}` : '', cleared > 0 ? `${cleared} resolved` : ''].filter(Boolean).join(', ');
  const blocks = items.map((i) => {
    const lines = [`${LABEL[i.kind]}: ${i.title}`];
    if (i.detail) lines.push(truncate(i.detail, DETAIL_MAX));
    for (const [name, value] of Object.entries(i.facts)) lines.push(`  ${name}: ${truncate(value, FACT_MAX)}`);
    return lines.join('\n');
  });
  const text = truncate([`jira-sync on ${ctx.host}, run ${ctx.runId}`, ...blocks].join('\n\n'), TEXT_MAX);
  return { subject: `[jira-sync] ${headline}`, title: `jira-sync on ${ctx.host}: ${headline}`, text, items };
}

/** Slack reads `&`, `<`, `>` as markup (`<!channel>` pings everyone); its docs ask for these three escaped. */
function slackEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * One JSON body for Slack, Microsoft Teams and Discord incoming webhooks, because
 * ALERT_WEBHOOK_URL does not say which one it is and each ignores the fields it does not know:
 *  - Slack (incoming webhook): `text` is the message (mrkdwn, hence slackEscape).
 *  - Discord (execute webhook): `content` is the message, at most 2000 characters; a body with
 *    neither content nor embeds is rejected. `allowed_mentions: {parse: []}` stops an
 *    `@everyone` inside an error message from pinging the whole server.
 *  - Teams (Office 365 "Incoming Webhook" connector): a legacy MessageCard, `@type` +
 *    `@context`, `summary` (required when there is no text; it is the notification line),
 *    `title`, `text`, `themeColor`, and `sections[].facts[]` of `{name, value}` for the key
 *    facts. Teams renders `text` and the facts table, so facts appear twice there; dropping
 *    them from `text` would hide them from Slack, which shows nothing but `text`.
 * Not covered: Teams "Workflows" (Power Automate) webhooks, which want an Adaptive Card.
 */
export function webhookPayload(msg: AlertMessage): Record<string, unknown> {
  const anyOpen = msg.items.some((i) => i.kind === 'opened');
  const sections = msg.items.slice(0, SECTIONS_MAX).map((i) => ({
    activityTitle: truncate(`${LABEL[i.kind]}: ${i.title}`, FACT_MAX),
    text: truncate(i.detail, DETAIL_MAX),
    facts: Object.entries(i.facts).map(([name, value]) => ({ name, value: truncate(value, FACT_MAX) })),
  }));
  if (msg.items.length > SECTIONS_MAX) {
    sections.push({ activityTitle: `… and ${msg.items.length - SECTIONS_MAX} more (see the text above)`, text: '', facts: [] });
  }
  return {
    text: slackEscape(msg.text),
    content: truncate(msg.text, DISCORD_MAX),
    allowed_mentions: { parse: [] },
    '@type': 'MessageCard',
    '@context': 'https://schema.org/extensions',
    summary: truncate(msg.subject, FACT_MAX),
    title: truncate(msg.title, FACT_MAX),
    themeColor: anyOpen ? 'D13438' : '2EB67D',
    sections,
  };
}

/** The webhook URL is itself the credential (its path is the token): only its host is ever shown. */
export function webhookLabel(url: string): string {
  try {
    return `webhook ${new URL(url).host}`;
  } catch {
    return 'webhook (invalid URL)';
  }
}

function urlSecrets(url: string | null): string[] {
  if (!url) return [];
  const out = [url];
  try {
    const u = new URL(url);
    // makeRedactor adds the decoded form of the (percent-encoded) password itself.
    if (u.password) out.push(u.password);
    // The token part of a Slack/Discord/Teams URL is long; a short path ("/a") is no secret
    // and redacting it would mangle unrelated text.
    for (const part of [`${u.pathname}${u.search}`, u.pathname]) if (part.length >= 8) out.push(part);
  } catch {
    // Not a URL: the whole string is all we can match.
  }
  return out;
}

/** The run's secrets plus both alert URLs, their passwords and the webhook's token path. */
export function alertRedactor(cfg: { secrets: string[]; webhookUrl: string | null; smtpUrl: string | null }): (s: string) => string {
  return makeRedactor([...cfg.secrets, ...urlSecrets(cfg.webhookUrl), ...urlSecrets(cfg.smtpUrl)]);
}

/** `fetch failed` alone says nothing; the cause (ECONNREFUSED, ENOTFOUND, a TLS error) does. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause.message : undefined;
  return cause && !err.message.includes(cause) ? `${err.message} (${cause})` : err.message;
}

export async function postWebhook(url: string, payload: unknown, timeoutMs: number): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) throw new Error(`no answer within ${timeoutMs} ms`);
    throw err;
  }
  // Read the body either way: it frees the connection, and on an error it says why (Slack: "invalid_payload").
  const body = await res.text().catch(() => '');
  if (!res.ok) throw new Error(`HTTP ${res.status}${body.trim() ? `: ${truncate(body.trim().replace(/\s+/g, ' '), 200)}` : ''}`);
}

export interface EmailOptions {
  /** smtp:// or smtps://; query parameters become nodemailer options (e.g. `?ignoreTLS=true`). */
  smtpUrl: string;
  to: string;
  from: string;
  timeoutMs: number;
}

export async function sendEmail(msg: AlertMessage, o: EmailOptions): Promise<void> {
  // Every phase gets the timeout; the race below also bounds the whole exchange, since
  // nodemailer's timeouts are per phase and a server that dribbles replies would stay under each.
  // Loaded only when mail is sent: most runs send none, and start-up time matters under cron.
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({
    url: o.smtpUrl,
    connectionTimeout: o.timeoutMs,
    greetingTimeout: o.timeoutMs,
    socketTimeout: o.timeoutMs,
    dnsTimeout: o.timeoutMs,
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${o.timeoutMs} ms`)), o.timeoutMs);
  });
  try {
    const to = o.to.split(',').map((a) => a.trim()).filter((a) => a !== '');
    await Promise.race([transport.sendMail({ from: o.from, to, subject: msg.subject, text: msg.text }), deadline]);
  } finally {
    clearTimeout(timer);
    transport.close();
  }
}
