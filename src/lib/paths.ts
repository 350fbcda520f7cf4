import { existsSync } from 'node:fs'
import path from 'node:path'

/** The project folder (the one with package.json), from the sources or from the build in dist/. */
function findProjectRoot(start: string): string {
  let dir = start
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error(`no package.json above ${start}`)
    dir = parent
  }
  return dir
}

export const PROJECT_ROOT = findProjectRoot(import.meta.dirname)
export const VIEWS_DIR = path.join(PROJECT_ROOT, 'views')
export const PUBLIC_DIR = path.join(PROJECT_ROOT, 'public')

/** The scripts a page lists to opt into live availability (src/features/live): numbers kept fresh over a WebSocket. */
export const LIVE_PAGE_SCRIPTS = ['/public/live.js']
