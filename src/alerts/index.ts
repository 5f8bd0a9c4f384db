// Alerts: tell a person when a run needs them, once per incident and once when it clears.
// Nobody watches the cron job, so this is how problems reach anyone at all; and for the same
// reason a broken alert channel must never turn into a failed run: notifyRunProblems never throws.
import os from 'node:os';
import type { ResolvedConfig } from '../config.js';
import { alertRedactor, buildMessage, describeError, postWebhook, sendEmail, webhookLabel, webhookPayload, type AlertMessage } from './channels.js';
import type { IncidentStore } from '../adapters/tracker/store.js';
import { planIncidents, type DueAlert, type RunProblem } from './incidents.js';

export { problemsFromRun, type RunProblem } from './incidents.js';

export interface AlertConfig {
  webhookUrl: string | null;
  smtpUrl: string | null;
  emailTo: string | null;
  emailFrom: string | null;
  /** Values never to be shown (config.secrets); the alert URLs are added to them here. */
  secrets: string[];
  /** Per channel; default 10 s, so a dead endpoint costs a run at most that. */
  timeoutMs?: number;
}

export interface AlertOutcome {
  sent: { fingerprint: string; kind: 'opened' | 'cleared'; channel: 'webhook' | 'email'; ok: boolean; error?: string }[];
  /** Set when the incident table could not be read or written (alerts then went out without de-duplication). */
  stateError?: string;
}

/** Structurally a pino Logger; optional so the function stays usable from anywhere. */
export interface AlertLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface NotifyContext {
  runId: string;
  now: Date;
  /** Shown in the message and used for the default sender; default os.hostname(). */
  host?: string;
  log?: AlertLog;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

export function alertConfigFrom(c: ResolvedConfig): AlertConfig {
  return { webhookUrl: c.alertWebhookUrl, smtpUrl: c.smtpUrl, emailTo: c.alertEmailTo, emailFrom: c.alertEmailFrom, secrets: c.secrets };
}

interface Channel {
  name: 'webhook' | 'email';
  label: string;
  send(msg: AlertMessage): Promise<void>;
}

function channelsOf(cfg: AlertConfig, host: string): Channel[] {
  const timeoutMs = cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const out: Channel[] = [];
  const { webhookUrl, smtpUrl, emailTo } = cfg;
  if (webhookUrl) {
    out.push({ name: 'webhook', label: webhookLabel(webhookUrl), send: (m) => postWebhook(webhookUrl, webhookPayload(m), timeoutMs) });
  }
  if (smtpUrl && emailTo) {
    const from = cfg.emailFrom ?? `jira-sync@${host}`;
    out.push({ name: 'email', label: `email to ${emailTo}`, send: (m) => sendEmail(m, { smtpUrl, to: emailTo, from, timeoutMs }) });
  }
  return out;
}

/**
 * Called once at the end of every run with the problems this run saw (empty when all is well).
 * Opens, keeps or clears incidents and sends what is due. `store` is null when the tracker itself
 * cannot be used: everything is then sent, without de-duplication.
 *
 * Do not call it for a run that did not look (a dry run, or exit 4 because another run holds
 * the lock): an empty list means "all is well" and would clear every open incident.
 */
export async function notifyRunProblems(db: IncidentStore | null, cfg: AlertConfig, problems: RunProblem[], ctx: NotifyContext): Promise<AlertOutcome> {
  try {
    return await notify(db, cfg, problems, ctx);
  } catch (err) {
    // Unreachable by design (every step below catches), but "never throws" is the contract.
    const error = alertRedactor(cfg)(describeError(err));
    ctx.log?.warn({ error }, 'alerting failed');
    return { sent: [], stateError: error };
  }
}

async function notify(db: IncidentStore | null, cfg: AlertConfig, problems: RunProblem[], ctx: NotifyContext): Promise<AlertOutcome> {
  const redact = alertRedactor(cfg);
  const host = ctx.host ?? os.hostname();
  const channels = channelsOf(cfg, host);
  // Redacted before anything is stored or sent: a dependency error can quote a connection string.
  const clean: RunProblem[] = problems.map((p) => ({
    ...p,
    title: redact(p.title),
    detail: redact(p.detail),
    facts: Object.fromEntries(Object.entries(p.facts ?? {}).map(([k, v]) => [k, redact(v)])),
  }));

  let due: DueAlert[];
  let stateError: string | undefined;
  try {
    // null: the tracker, which keeps the incidents, is itself what is broken.
    if (!db) throw new Error('the tracker cannot be used, and it keeps the alert state');
    const unresolved = await db.unresolvedSubmissions();
    const open = await db.loadOpenIncidents();
    const parked = await db.parkedKeys(open.filter((i) => i.fingerprint.startsWith('parked:')).map((i) => i.fingerprint.slice('parked:'.length)));
    const plan = planIncidents(open, clean, {
      now: ctx.now,
      channels: channels.length > 0,
      stillParked: (key) => parked?.has(key),
      submissionsUnresolved: unresolved && unresolved.failed + unresolved.parked > 0,
    });
    await db.saveIncidentPlan(plan);
    due = plan.alerts;
    for (const i of plan.close) ctx.log?.info({ fingerprint: i.fingerprint, runs: i.runs, firstSeen: i.firstSeen }, 'incident cleared');
    for (const a of plan.alerts) if (a.kind === 'opened') ctx.log?.info({ fingerprint: a.incident.fingerprint }, 'incident opened');
  } catch (err) {
    // Without the table we cannot tell a new problem from an old one. A repeated alert beats
    // silence about a problem that nobody would otherwise see, so say everything, and say why.
    stateError = redact(describeError(err));
    ctx.log?.warn({ error: stateError }, 'alert state unavailable; alerting without de-duplication');
    const now = ctx.now.toISOString();
    due = clean.map((p) => ({
      kind: 'opened',
      incident: { fingerprint: p.fingerprint, title: p.title, detail: p.detail, firstSeen: now, lastSeen: now, runs: 1, alertedAt: null },
      facts: { ...p.facts, Note: 'alert state could not be saved, so this alert may repeat every run' },
    }));
  }
  const withState = (sent: AlertOutcome['sent']): AlertOutcome => (stateError === undefined ? { sent } : { sent, stateError });
  if (due.length === 0 || channels.length === 0) return withState([]);

  const message = buildMessage(
    due.map((a) => ({
      kind: a.kind,
      fingerprint: a.incident.fingerprint,
      title: a.incident.title,
      // The stored detail is what the last run saw; on a "cleared" alert it must not read as current.
      detail: a.kind === 'cleared' ? `No longer reported by run ${ctx.runId}. Last seen as: ${a.incident.detail}` : a.incident.detail,
      facts: a.facts,
    })),
    { host, runId: ctx.runId },
  );
  // Both channels at once, each under its own timeout: a dead mail server does not delay the webhook.
  const results = await Promise.all(
    channels.map(async (ch) => {
      try {
        await ch.send(message);
        ctx.log?.info({ channel: ch.label, alerts: due.length }, 'alert sent');
        return { channel: ch.name, ok: true as const };
      } catch (err) {
        const error = redact(describeError(err));
        ctx.log?.warn({ channel: ch.label, error, fingerprints: due.map((a) => a.incident.fingerprint) }, 'alert not delivered');
        return { channel: ch.name, ok: false as const, error };
      }
    }),
  );

  // One channel that got through is enough: retrying would repeat the alert on that channel.
  const opened = due.filter((a) => a.kind === 'opened').map((a) => a.incident.fingerprint);
  if (db && stateError === undefined && opened.length > 0 && results.some((r) => r.ok)) {
    try {
      await db.markAlerted(opened, ctx.now);
    } catch (err) {
      ctx.log?.warn({ error: redact(describeError(err)) }, 'could not record sent alerts; they may be sent again');
    }
  }
  return withState(due.flatMap((a) => results.map((r) => ({ fingerprint: a.incident.fingerprint, kind: a.kind, ...r }))));
}
