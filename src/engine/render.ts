/**
 * Message personalization with Liquid over the user's profile and the journey's entry event.
 * Templates are parsed once and cached; rendering is synchronous so it can run inside a unit of work.
 */
import { Liquid, type Template } from 'liquidjs';
import type { Message } from '../core/definition.ts';
import type { EntryEvent, ProfileView } from '../core/instance.ts';
import type { MessageContent } from '../store/store.ts';

const liquid = new Liquid({
  strictFilters: true, // an unknown filter is an error, not silent empty output
  ownPropertyOnly: true,
  renderLimit: 1_000, // ms per render: a runaway loop cannot stall the engine
  memoryLimit: 1e6,
});

const parsed = new Map<string, Template[]>();

function parse(text: string): Template[] {
  let templates = parsed.get(text);
  if (!templates) {
    templates = liquid.parse(text);
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(text, templates);
  }
  return templates;
}

/** What a template can see: `Profile` (traits, plus Name/Email/Phone aliases) and `Event` (entry event properties). */
export function templateScope(profile: ProfileView | null, entry: EntryEvent): Record<string, unknown> {
  const traits = profile?.traits ?? {};
  return {
    Profile: { ...traits, Name: traits.name, Email: traits.email, Phone: traits.phone, Identity: profile?.userId },
    Event: entry.properties,
    EventName: entry.name,
  };
}

function renderText(text: string, scope: Record<string, unknown>): string {
  // Plain text needs no Liquid pass: most subjects and many bodies are static.
  if (!text.includes('{')) return text;
  return liquid.renderSync(parse(text), scope) as string;
}

export function renderMessage(message: Message, scope: Record<string, unknown>, to: string | undefined): MessageContent {
  const content: MessageContent = { body: renderText(message.body, scope) };
  if (message.title !== undefined) content.title = renderText(message.title, scope);
  if (message.subject !== undefined) content.subject = renderText(message.subject, scope);
  if (message.url !== undefined) content.url = message.url;
  if (to !== undefined) content.to = to;
  return content;
}
