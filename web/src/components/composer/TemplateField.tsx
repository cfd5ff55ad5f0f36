/**
 * One message field of the composer. Typing `@` (or pressing "Insert property") opens a list of the
 * project's profile traits and the entry event's properties; picking one writes
 * `{{ Profile.name | default: "" }}` at the caret. Arrow keys move in the list, Enter or Tab picks, Escape
 * closes it; the field keeps the focus throughout (the list is its active descendant).
 */
import { useId, useLayoutEffect, useRef, useState, type ChangeEvent, type KeyboardEvent } from 'react';
import type { ContentField } from '../../lib/channel-fields.ts';
import { caretInTag, filterInsertables, insertAt, liquidTag, mentionAt, type Insertable } from '../../lib/liquid.ts';
import { Field } from '../../forms/fields/Field.tsx';
import { useDraftText } from '../../forms/fields/useDraftText.ts';

interface Menu {
  /** Where the `@query` starts and ends: it is replaced by the pick. */
  start: number;
  end: number;
  options: Insertable[];
  active: number;
}

export function TemplateField({ field, path, value, onCommit, insertables }: { field: ContentField; path: string; value: string; onCommit: (text: string) => void; insertables: readonly Insertable[] }) {
  const { text, change, flush } = useDraftText(value, onCommit);
  const [menu, setMenu] = useState<Menu | null>(null);
  const control = useRef<HTMLTextAreaElement & HTMLInputElement>(null);
  const caretAfter = useRef<number | null>(null);
  const listId = useId();

  // After an insertion the caret goes just after it, once React has written the new text.
  useLayoutEffect(() => {
    if (caretAfter.current === null || !control.current) return;
    control.current.setSelectionRange(caretAfter.current, caretAfter.current);
    caretAfter.current = null;
  });

  const look = (next: string, caret: number) => {
    const mention = mentionAt(next, caret);
    if (!mention) return setMenu(null);
    const options = filterInsertables(insertables, mention.query);
    setMenu(options.length > 0 ? { start: mention.start, end: caret, options, active: 0 } : null);
  };

  const pick = (option: Insertable) => {
    if (!menu) return;
    const tag = liquidTag(option.scope, option.key);
    if (tag === null) return;
    const result = insertAt(text, menu.start, menu.end, tag);
    // Between the default's quotes: the next thing typed is what a user without the trait sees.
    caretAfter.current = menu.start + caretInTag(tag);
    change(result.text);
    setMenu(null);
  };

  /** The button's way in: an `@` at the caret opens the list, as if typed. */
  const openFromButton = () => {
    const element = control.current;
    if (!element) return;
    const start = element.selectionStart ?? text.length;
    const end = element.selectionEnd ?? start;
    const needsSpace = start > 0 && !/[\s({>,;:"']/.test(text.charAt(start - 1));
    const result = insertAt(text, start, end, `${needsSpace ? ' ' : ''}@`);
    caretAfter.current = result.caret;
    change(result.text);
    element.focus();
    const options = filterInsertables(insertables, '');
    setMenu(options.length > 0 ? { start: result.caret - 1, end: result.caret, options, active: 0 } : null);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (!menu) {
      if (event.key === 'Enter' && !field.multiline) flush();
      return;
    }
    const count = menu.options.length;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setMenu({ ...menu, active: (menu.active + (event.key === 'ArrowDown' ? 1 : count - 1)) % count });
    } else if (event.key === 'Enter' || event.key === 'Tab') {
      event.preventDefault();
      pick(menu.options[menu.active]!);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation(); // the list closes, not the panel or dialog around it
      setMenu(null);
    }
  };

  const activeId = menu ? `${listId}-${menu.active}` : undefined;
  const shared = {
    ref: control,
    value: text,
    maxLength: field.maxLength,
    spellCheck: field.template,
    'aria-autocomplete': 'list' as const,
    'aria-haspopup': 'listbox' as const,
    'aria-controls': menu ? listId : undefined,
    'aria-activedescendant': activeId,
    onChange: (e: ChangeEvent<HTMLTextAreaElement | HTMLInputElement>) => {
      change(e.target.value);
      look(e.target.value, e.target.selectionStart ?? e.target.value.length);
    },
    onKeyDown,
    onBlur: () => {
      setMenu(null);
      flush();
    },
  };

  return (
    <Field
      label={
        <span className="template-label">
          {field.label}
          {!field.required && <span className="optional"> (optional)</span>}
        </span>
      }
      path={path}
      hint={field.template ? 'Type @ to insert a profile trait or an event property.' : undefined}
      className="template-field"
    >
      {(a11y) => (
        <div className="template-box">
          {field.multiline ? <textarea {...a11y} {...shared} rows={field.name === 'body' ? 5 : 3} /> : <input {...a11y} {...shared} autoComplete="off" />}
          {field.template && (
            <button type="button" className="button ghost small insert" onMouseDown={(e) => e.preventDefault()} onClick={openFromButton} aria-label={`Insert a property into ${field.label}`}>
              @ Insert
            </button>
          )}
          {menu && (
            <ul className="mention-menu" id={listId} role="listbox" aria-label="Properties to insert">
              {menu.options.map((o, i) => (
                <li
                  key={`${o.scope}.${o.key}`}
                  id={`${listId}-${i}`}
                  role="option"
                  aria-selected={i === menu.active}
                  className={i === menu.active ? 'active' : undefined}
                  onMouseDown={(e) => {
                    e.preventDefault(); // keep the focus (and the caret) in the field
                    pick(o);
                  }}
                >
                  <span className={`scope scope-${o.scope.toLowerCase()}`}>{o.scope}</span>
                  <span className="key">{o.key}</span>
                  {o.detail && <span className="detail">{o.detail}</span>}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </Field>
  );
}
