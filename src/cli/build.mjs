/**
 * Compiles the TypeScript into dist/, or only when it is out of date, so that
 * `npm start` does not spend seconds in tsc when nothing changed.
 *
 *   node src/cli/build.mjs                          compile now (npm run build)
 *   node src/cli/build.mjs --if-stale               compile if the sources changed since the last build
 *   node src/cli/build.mjs --if-stale --then FILE … and then run FILE in this process (npm start, db:migrate, admin:create)
 *   node src/cli/build.mjs --prepare                npm's prepare: as --if-stale, but skipped where it cannot build
 *
 * Plain JavaScript, because it runs before anything is compiled. It lives with
 * the other command-line entry points; tsc (without allowJs) leaves it out of dist/.
 *
 * Up to date means: the digest of the sources' contents equals the one the
 * last successful build recorded. Contents rather than modification times, so
 * that a checkout, a copy that keeps old times or a clock change cannot make
 * old output pass for new; hashing the few hundred KiB takes milliseconds.
 */
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const ROOT = path.resolve(import.meta.dirname, '../..')
/** What the output depends on: the compiled folders (tsconfig.build.json's include), the compiler settings, and the dependencies' versions (their types). */
const SOURCE_DIRS = ['src', 'migrations']
const SOURCE_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package.json', 'package-lock.json']
const STAMP = path.join(ROOT, 'dist', '.build-stamp')

class Refusal extends Error {}

function main(args) {
  const [mode, ...rest] = args
  if (mode === undefined) return build(digestOfSources())
  if (mode === '--prepare' && rest.length === 0) return prepare()
  if (mode !== '--if-stale') throw new Refusal(`unknown option ${mode}`)
  if (rest.length === 0) return buildIfStale()
  const [then, file, ...fileArgs] = rest
  if (then !== '--then' || file === undefined) throw new Refusal('usage: build.mjs --if-stale [--then FILE ARGS…]')
  const entry = path.resolve(ROOT, file)
  buildIfStale(entry)
  // As if FILE had been started directly: the CLIs read their options from process.argv.
  process.argv = [process.argv[0], entry, ...fileArgs]
  return import(pathToFileURL(entry).href)
}

/**
 * Runs after `npm install` and `npm ci`, so that a fresh clone's first
 * `npm start` finds the build ready. It must not fail where there is nothing
 * to build with: the Dockerfile's `npm ci` runs before the sources are copied
 * in, and `npm ci --omit=dev` has no TypeScript (`npm start` then says what is missing).
 */
function prepare() {
  if (!existsSync(path.join(ROOT, 'tsconfig.build.json')) || !existsSync(path.join(ROOT, 'src'))) {
    console.error('prepare: no sources here yet, not compiling.')
    return
  }
  if (typeScriptCompiler() === undefined) {
    console.error('prepare: TypeScript is not installed (a production install?), not compiling.')
    return
  }
  buildIfStale()
}

/** Compiles when the sources (or `entry`, the file about to run) differ from the last build. */
function buildIfStale(entry) {
  // An installed image (the Dockerfile's) ships dist/ without the sources: nothing to compare.
  if (!existsSync(path.join(ROOT, 'src'))) return
  const digest = digestOfSources()
  if (readStamp() === digest && (entry === undefined || existsSync(entry))) return
  if (typeScriptCompiler() === undefined) {
    throw new Refusal(
      'The sources changed since the last build in dist/, and TypeScript is not installed to compile them: run `npm install`.',
    )
  }
  console.error(readStamp() === undefined ? 'No build yet: compiling…' : 'The sources changed since the last build: compiling…')
  build(digest)
}

/**
 * `digest` is taken before compiling, so a file saved during the build makes
 * the next start compile again. The old stamp goes first: tsc writes output
 * even when it reports errors, and that output must not pass for the last
 * good build if the sources are then put back as they were.
 */
function build(digest) {
  const compiler = typeScriptCompiler()
  if (compiler === undefined) throw new Refusal('TypeScript is not installed: run `npm install`.')
  rmSync(STAMP, { force: true })
  const result = spawnSync(process.execPath, [compiler, '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' })
  if (result.error) throw result.error
  if (result.status !== 0) process.exit(result.status ?? 1)
  writeFileSync(STAMP, digest + '\n')
}

function typeScriptCompiler() {
  try {
    return createRequire(import.meta.url).resolve('typescript/bin/tsc')
  } catch {
    return undefined
  }
}

function readStamp() {
  try {
    return readFileSync(STAMP, 'utf8').trim()
  } catch {
    return undefined
  }
}

/** SHA-256 over every source file's path and contents, in a fixed order: any edit, addition, removal or rename changes it. */
function digestOfSources() {
  const hash = createHash('sha256')
  const files = [...SOURCE_DIRS.flatMap((dir) => filesUnder(dir)), ...SOURCE_FILES.filter((file) => existsSync(path.join(ROOT, file)))]
  for (const file of files) {
    const contents = readFileSync(path.join(ROOT, file))
    hash.update(`${file}\0${contents.length}\0`).update(contents)
  }
  return hash.digest('hex')
}

function filesUnder(dir) {
  if (!existsSync(path.join(ROOT, dir))) return []
  return readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort()
}

try {
  await main(process.argv.slice(2))
} catch (error) {
  if (!(error instanceof Refusal)) throw error
  console.error(error.message)
  process.exit(1)
}
