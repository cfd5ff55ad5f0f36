/**
 * The entry of a worker thread: the module `name` beside the importing module (`importer`: its
 * import.meta.url). Compiled, that is the module's .js file. From source (tsx), a thread does not inherit the
 * process's `--import tsx`, so its entry registers tsx before it imports the .ts module.
 */
export function threadEntry(importer: string, name: string): URL {
  const fromSource = new URL(importer).pathname.endsWith('.ts');
  const module = new URL(`./${name}.${fromSource ? 'ts' : 'js'}`, importer);
  if (!fromSource) return module;
  const code = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(module.href)});`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}
