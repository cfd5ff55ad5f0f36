/**
 * The form of a node kind the dashboard has no form for (a kind added to the registry since): its fields as
 * JSON, checked by the server like any other change. So a new kind can be edited the day it exists.
 */
import { useState } from 'react';
import { Field } from './fields/Field.tsx';
import { useDraftText } from './fields/useDraftText.ts';
import type { NodeFormProps } from './types.ts';

export function JsonForm({ node, path, change }: NodeFormProps) {
  const { id, kind, ...fields } = node;
  const [error, setError] = useState<string | null>(null);
  const commit = (text: string) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      return setError(`not JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return setError('must be a JSON object of the node’s fields');
    setError(null);
    // id and kind stay as they are: renaming and changing kind are not edits of the fields.
    change('Edit the node’s fields', () => ({ ...(parsed as Record<string, unknown>), id, kind }));
  };
  const { text, change: type, flush } = useDraftText(JSON.stringify(fields, null, 2), commit, 800);
  return (
    <Field label="Fields (JSON)" path={path} within error={error} hint={`No form for “${kind}” nodes yet: edit the JSON; the server checks it as you go.`}>
      {(control) => <textarea {...control} className="json-editor" spellCheck={false} rows={12} value={text} onChange={(e) => type(e.target.value)} onBlur={flush} />}
    </Field>
  );
}
