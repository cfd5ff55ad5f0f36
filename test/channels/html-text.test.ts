/** The text part derived from an email's HTML, and its cost on hostile input. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { htmlToText } from '../../src/channels/html-text.ts';

test('tags go, blocks and breaks become lines, lists dashes, links "text (url)", entities are decoded once', () => {
  const html =
    '<html><head><title>T</title><style>p{color:red}</style></head><body><h1>Hi Ana &amp; co</h1><p>Your cart<br>is   waiting.</p>' +
    '<ul><li>One</li><li>Two</li></ul><p><a href="https://x.test/c?a=1&amp;b=2">Back to <b>cart</b></a> or <a href=\'https://y.test\'>https://y.test</a></p>' +
    '<!-- hidden --><script>alert(1)</script><p>&#169; &#x2603; &amp;lt; &bogus;</p></body></html>';
  assert.equal(htmlToText(html), 'Hi Ana & co\n\nYour cart\nis waiting.\n\n- One\n- Two\n\nBack to cart (https://x.test/c?a=1&b=2) or https://y.test\n\n© ☃ &lt; &bogus;');
});

test('plain text stays as it is; an unclosed comment or script hides the rest', () => {
  assert.equal(htmlToText('just text'), 'just text');
  assert.equal(htmlToText('a <!-- b'), 'a');
  assert.equal(htmlToText('a <script> b'), 'a');
});

test('linear on hostile input: thousands of unclosed links, comments and tags', () => {
  // Each is over a quarter of a megabyte; a quadratic pass would take minutes, this takes milliseconds.
  for (const html of ['<a href="x">'.repeat(25_000), '<!--'.repeat(70_000), '<p'.repeat(140_000), '<script>'.repeat(30_000)]) htmlToText(html);
});
