/**
 * How many segments an SMS takes (3GPP TS 23.038 / 23.040): text in the GSM 7-bit alphabet fits 160
 * characters in one segment and 153 per segment once split (a segment loses 7 to the concatenation header);
 * the characters of the alphabet's extension table (€, [, ], {, }, ~, ^, \, |, form feed) take two. Any other
 * character makes the whole message UCS-2: 70 in one segment, 67 per segment once split, counted in UTF-16
 * units (an emoji takes two).
 */

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '\f^{}\\[~]|€';

const basic = new Set(GSM_BASIC);
const extension = new Set(GSM_EXTENSION);

export interface SmsSize {
  encoding: 'GSM-7' | 'UCS-2';
  /** Septets (GSM-7) or UTF-16 units (UCS-2). */
  units: number;
  segments: number;
}

export function smsSize(text: string): SmsSize {
  let septets = 0;
  for (const ch of text) {
    if (basic.has(ch)) septets += 1;
    else if (extension.has(ch)) septets += 2;
    else return sized('UCS-2', text.length, 70, 67);
  }
  return sized('GSM-7', septets, 160, 153);
}

function sized(encoding: SmsSize['encoding'], units: number, single: number, perPart: number): SmsSize {
  return { encoding, units, segments: units === 0 ? 0 : units <= single ? 1 : Math.ceil(units / perPart) };
}
