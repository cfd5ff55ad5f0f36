/** Project settings for a simulation (time zone, frequency caps): a JSON file as PUT /v1/settings takes it. */
import { Compile } from 'typebox/compile';
import { allErrors, problemsFromSchemaErrors } from '../core/schema-problems.ts';
import { ProjectSettings, settingsProblems } from '../core/settings.ts';
import { readJsonFile } from './journey-file.ts';
import { FileError } from './lines.ts';

const checkSettings = Compile(ProjectSettings);

/** The settings in `file`, checked as the API checks them; a FileError names the file and every problem. */
export async function readSettingsFile(file: string): Promise<ProjectSettings> {
  const value = await readJsonFile(file, 'settings file');
  const problems = checkSettings.Check(value) ? settingsProblems(value) : problemsFromSchemaErrors(allErrors(checkSettings, value));
  if (problems.length > 0) throw new FileError(`settings file ${file}: ${problems.map((p) => `${p.path || '/'} ${p.message}`).join('; ')}`);
  return value as ProjectSettings;
}
