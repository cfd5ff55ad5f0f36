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

/**
 * The young generation of a thread that runs units of work (the engine's, a simulation's): 192 MB, semi-spaces
 * of 64 MB as `--max-semi-space-size=64` gives, against V8's default 32 MB. A unit makes many objects that die
 * with it; in a smaller space more of them live through a scavenge and are copied. A million users of
 * `simulate` on two threads took 84.1 s with the default and 76.0 s with the flag (bench/RESULTS.md).
 */
export const UNIT_THREAD_LIMITS = { maxYoungGenerationSizeMb: 192 } as const;
