/**
 * A suggestion of copy: the model is asked for N variants (prompts.ts), each is checked (checks.ts), those
 * that fail go back once with their problems, and those that still fail are dropped with the reasons. Every
 * call is logged for the admin (audit.ts). Returns the variants, or the provider's failure as it should be
 * answered.
 */
import type { Channel } from '../core/channels.ts';
import type { Store } from '../store/store.ts';
import { logCall } from './audit.ts';
import { chatCompletion, chatRequest, type ChatMessage, type ProviderFailure } from './client.ts';
import { checkVariant, type VariantProblem } from './checks.ts';
import { knownNames } from './names.ts';
import { repairMessages, suggestMessages, type SuggestBrief } from './prompts.ts';
import type { CopyProviderSettings } from './settings.ts';

export interface SuggestInput extends SuggestBrief {
  /** The event that starts the journey: its properties are Event.*. */
  event: string | null;
}

export interface Variant {
  content: Record<string, string>;
  /** It failed a check the first time and passed once the model fixed it. */
  repaired: boolean;
}

export interface DroppedVariant {
  content: Record<string, unknown>;
  problems: VariantProblem[];
}

export interface SuggestResult {
  model: string;
  variants: Variant[];
  dropped: DroppedVariant[];
  /** Names the checks knew, so the composer can say why one was refused. */
  names: { profile: string[]; event: string[] };
}

export type SuggestOutcome = { ok: true; result: SuggestResult } | { ok: false; failure: ProviderFailure };

interface Deps {
  store: Store;
  now: () => number;
}

export async function suggestCopy({ store, now }: Deps, settings: CopyProviderSettings, input: SuggestInput): Promise<SuggestOutcome> {
  const names = await knownNames(store, input.event);
  const messages = suggestMessages(input, names);
  const first = await ask(store, now, settings, messages, input.n);
  if (!first.ok) return first;

  const checked = first.variants.map((content) => ({ content, problems: checkVariant(input.channel, content, names) }));
  const passed: Variant[] = checked.filter((c) => c.problems.length === 0).map((c) => ({ content: c.content as Record<string, string>, repaired: false }));
  const failed = checked.filter((c) => c.problems.length > 0);
  await first.log(failed.length === 0 ? `${passed.length} variants passed the checks` : `${passed.length} passed, ${failed.length} sent back for repair`);
  const dropped: DroppedVariant[] = [];

  if (failed.length > 0) {
    const second = await ask(store, now, settings, repairMessages(messages, failed), failed.length);
    if (!second.ok) {
      // The repair round failed: the variants that passed are still worth showing.
      for (const f of failed) dropped.push({ content: f.content, problems: [...f.problems, { field: '', message: `not repaired: ${second.failure.message}` }] });
    } else {
      const repairedChecks = failed.map((f, i) => {
        const fixed = second.variants[i];
        if (!fixed) return { content: f.content, problems: [...f.problems, { field: '', message: 'not repaired: the model gave back fewer variants than it was sent' }] };
        return { content: fixed, problems: checkVariant(input.channel, fixed, names) };
      });
      for (const r of repairedChecks) {
        if (r.problems.length === 0) passed.push({ content: r.content as Record<string, string>, repaired: true });
        else dropped.push(r);
      }
      await second.log(`${repairedChecks.filter((r) => r.problems.length === 0).length} repaired, ${dropped.length} dropped`);
    }
  }
  return {
    ok: true,
    result: {
      model: settings.model,
      variants: passed,
      dropped,
      names: { profile: names.profile.map((n) => n.path), event: names.event.map((n) => n.path) },
    },
  };
}

type Asked =
  | { ok: true; variants: Array<Record<string, unknown>>; log: (detail: string) => Promise<void> }
  | { ok: false; failure: ProviderFailure };

/** One call: the variants it answered (at most `n`, only the copy fields kept as given), or why not; logged either way. */
async function ask(store: Store, now: () => number, settings: CopyProviderSettings, messages: ChatMessage[], n: number): Promise<Asked> {
  const request = chatRequest(settings, messages);
  const answer = await chatCompletion(settings, request);
  if (!answer.ok) {
    await logCall(store, now(), request, answer.failure.kind, answer.raw, answer.failure.message);
    return { ok: false, failure: answer.failure };
  }
  const variants = variantsIn(answer.text);
  if (typeof variants === 'string') {
    const failure: ProviderFailure = { kind: 'malformed', status: 424, message: `the model's answer is not the JSON asked for: ${variants}` };
    await logCall(store, now(), request, failure.kind, answer.raw, failure.message);
    return { ok: false, failure };
  }
  return { ok: true, variants: variants.slice(0, n), log: (detail) => logCall(store, now(), request, 'ok', answer.raw, detail) };
}

/** The variants in a model's text: {"variants": [...]}, tolerating a code fence or words around it; else what is wrong. */
export function variantsIn(text: string): Array<Record<string, unknown>> | string {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end < start) return `no JSON object in ${JSON.stringify(text.slice(0, 120))}`;
  let body: unknown;
  try {
    body = JSON.parse(text.slice(start, end + 1));
  } catch (error) {
    return `it does not parse (${(error as Error).message})`;
  }
  const list = (body as { variants?: unknown }).variants;
  if (!Array.isArray(list)) return 'it has no "variants" array';
  const objects = list.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v));
  if (objects.length === 0) return '"variants" holds no objects';
  return objects;
}

