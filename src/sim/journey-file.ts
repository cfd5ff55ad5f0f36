/** Journey files on disk: a bare definition, or {definition, layout?} as the API returns and takes it. */
import { promises as fs } from 'node:fs';
import { basename, extname } from 'node:path';
import { FileError } from './lines.ts';

/** The journey id a file name gives: "examples/abandoned-cart.json" -> "abandoned-cart". */
export function journeyIdFromFile(file: string): string {
  const slug = basename(file, extname(file))
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
  return slug || 'journey';
}

/** The parsed JSON of a journey file, or a FileError naming the file. */
export function readJourneyFile(file: string): Promise<unknown> {
  return readJsonFile(file, 'journey file');
}

/** The parsed JSON of `file` (a "journey file", a "settings file"), or a FileError naming it. */
export async function readJsonFile(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new FileError(code === 'ENOENT' ? `${what} ${file} does not exist` : `cannot read ${what} ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new FileError(`${what} ${file} is not valid JSON: ${(error as Error).message}`);
  }
}

export interface JourneyFile {
  definition: unknown;
  layout?: Record<string, { x: number; y: number }>;
}

export async function readJourney(file: string): Promise<JourneyFile> {
  const json = await readJourneyFile(file);
  if (json !== null && typeof json === 'object' && !Array.isArray(json) && 'definition' in json && typeof json.definition === 'object' && !('nodes' in json)) {
    const { definition, layout } = json as JourneyFile;
    return layout === undefined ? { definition } : { definition, layout };
  }
  return { definition: json };
}
