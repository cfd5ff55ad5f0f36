/**
 * The node forms by kind, one module each (forms/<kind>.tsx). A kind without one (added to the registry
 * since) gets the JSON form, so every kind can be edited.
 */
import type { ComponentType } from 'react';
import { AbSplitForm } from './abSplit.tsx';
import { DelayForm } from './delay.tsx';
import { EntryForm } from './entry.tsx';
import { ExitForm } from './exit.tsx';
import { JsonForm } from './json.tsx';
import { SendForm } from './send.tsx';
import { SplitForm } from './split.tsx';
import type { NodeFormProps } from './types.ts';
import { UpdateProfileForm } from './updateProfile.tsx';
import { WaitForm } from './wait.tsx';

export type { NodeFormProps } from './types.ts';

export const FORMS: Readonly<Record<string, ComponentType<NodeFormProps>>> = {
  entry: EntryForm,
  send: SendForm,
  delay: DelayForm,
  wait: WaitForm,
  split: SplitForm,
  abSplit: AbSplitForm,
  updateProfile: UpdateProfileForm,
  exit: ExitForm,
};

export function formFor(kind: string): ComponentType<NodeFormProps> {
  return Object.hasOwn(FORMS, kind) ? FORMS[kind]! : JsonForm;
}
