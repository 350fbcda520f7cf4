import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { expect, it } from 'vitest'
import { PROJECT_ROOT } from '../../src/lib/paths.js'

interface Manifest {
  scripts?: Record<string, string>
  allowScripts?: Record<string, boolean>
}

const read = (file: string) =>
  JSON.parse(readFileSync(file, 'utf8')) as Manifest & { packages?: Record<string, { hasInstallScript?: boolean }> }

/** The installed packages that run code at install, as npm tells them: an install script, or a binding.gyp that npm builds. */
function packagesWithInstallScripts(): string[] {
  const lock = read(path.join(PROJECT_ROOT, 'package-lock.json'))
  const names = new Set<string>()
  for (const [location, entry] of Object.entries(lock.packages ?? {})) {
    const dir = path.join(PROJECT_ROOT, location)
    // The root, and optional packages for other platforms, which are not installed here.
    if (location === '' || !existsSync(path.join(dir, 'package.json'))) continue
    const scripts = read(path.join(dir, 'package.json')).scripts ?? {}
    const runsCode =
      entry.hasInstallScript ||
      ['preinstall', 'install', 'postinstall'].some((name) => name in scripts) ||
      existsSync(path.join(dir, 'binding.gyp'))
    if (runsCode) names.add(location.slice(location.lastIndexOf('node_modules/') + 'node_modules/'.length))
  }
  return [...names].sort()
}

// npm 11.16 and later warn at install about the install scripts package.json's allowScripts does not name; npm 12 skips them.
it('names in allowScripts exactly the dependencies whose install scripts run', () => {
  const allowed = read(path.join(PROJECT_ROOT, 'package.json')).allowScripts ?? {}
  expect(Object.keys(allowed).sort()).toEqual(packagesWithInstallScripts())
  expect(Object.values(allowed).every((value) => value === true)).toBe(true)
})
