/** Project settings for a simulation (time zone, frequency caps): a JSON file as PUT /v1/settings takes it. */
import { promises as fs } from 'node:fs';
import { Compile } from 'typebox/compile';
import { allErrors, problemsFromSchemaErrors } from '../core/schema-problems.ts';
import { ProjectSettings, settingsProblems } from '../core/settings.ts';
import { FileError } from './lines.ts';

const checkSettings = Compile(ProjectSettings);

/** The settings in `file`, checked as the API checks them; a FileError names the file and every problem. */
export async function readSettingsFile(file: string): Promise<ProjectSettings> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new FileError(code === 'ENOENT' ? `settings file ${file} does not exist` : `cannot read settings file ${file}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new FileError(`settings file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const problems = checkSettings.Check(value) ? settingsProblems(value) : problemsFromSchemaErrors(allErrors(checkSettings, value));
  if (problems.length > 0) throw new FileError(`settings file ${file}: ${problems.map((p) => `${p.path || '/'} ${p.message}`).join('; ')}`);
  return value as ProjectSettings;
}
