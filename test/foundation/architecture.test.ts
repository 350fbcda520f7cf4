import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const SRC = path.resolve(import.meta.dirname, '../../src')

/** Every module under src/ and the modules it imports, by path relative to src/. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(file)
      else if (entry.name.endsWith('.ts')) {
        const imports = [...readFileSync(file, 'utf8').matchAll(/(?:from|import) '(\.[^']+)'/g)].map((match) =>
          path.relative(SRC, path.resolve(dir, match[1]!)).replace(/\.js$/, '.ts'),
        )
        graph.set(path.relative(SRC, file), imports)
      }
    }
  }
  walk(SRC)
  return graph
}

/** The part of the house a module belongs to: a feature folder, or plugins, lib, db. */
function part(module: string): string {
  const [top, feature] = module.split(path.sep)
  return top === 'features' ? `features/${feature}` : top!.replace(/\.ts$/, '')
}

describe('the import graph', () => {
  const graph = importGraph()

  it('has no arrow from infrastructure (src/plugins, src/lib, src/db) into a feature', () => {
    const arrows = [...graph].flatMap(([module, imports]) =>
      ['plugins', 'lib', 'db'].includes(part(module))
        ? imports.filter((target) => part(target).startsWith('features/')).map((target) => `${module} -> ${target}`)
        : [],
    )
    expect(arrows).toEqual([])
  })

  it('has no cycle between modules, type imports included: a module can be read after those it imports', () => {
    const cycles = new Set<string>()
    const visit = (module: string, trail: string[]) => {
      for (const next of graph.get(module) ?? []) {
        if (trail.includes(next)) cycles.add([...trail.slice(trail.indexOf(next)), next].join(' -> '))
        else visit(next, [...trail, next])
      }
    }
    for (const module of graph.keys()) visit(module, [module])
    expect([...cycles]).toEqual([])
  })

  it('has no cycle between features, and the events core imports no other feature', () => {
    const between = new Map<string, Set<string>>()
    for (const [module, imports] of graph) {
      for (const target of imports) {
        const from = part(module)
        const to = part(target)
        if (from !== to && from.startsWith('features/') && to.startsWith('features/')) {
          between.set(from, (between.get(from) ?? new Set()).add(to))
        }
      }
    }
    expect([...(between.get('features/events') ?? [])]).toEqual([])
    const cycles: string[] = []
    const visit = (feature: string, trail: string[]) => {
      for (const next of between.get(feature) ?? []) {
        if (trail.includes(next)) cycles.push([...trail.slice(trail.indexOf(next)), next].join(' -> '))
        else visit(next, [...trail, next])
      }
    }
    for (const feature of between.keys()) visit(feature, [feature])
    expect(cycles).toEqual([])
  })
})

/** Every module under src/ with its text, by path relative to src/. */
function sources(): [string, string][] {
  const found: [string, string][] = []
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(file)
      else if (entry.name.endsWith('.ts')) found.push([path.relative(SRC, file), readFileSync(file, 'utf8')])
    }
  }
  walk(SRC)
  return found
}

describe('the owners of shared state', () => {
  it('writes orders (their states) only in the orders feature: every move goes through its table of transitions', () => {
    const writers = sources()
      .filter(([, text]) => /(updateTable|insertInto)\('orders'\)/.test(text))
      .map(([module]) => module)
    expect(writers).toEqual([path.join('features', 'orders', 'order.writes.ts')])
  })

  it('writes the sold and held counters only in the capacity module, where the lock order is written once', () => {
    // An UPDATE's .set({ ... sold: ... }) or .set((eb) => ({ ... held: ... })), on one line or several.
    const setsCounter = /\.set\(\s*(?:\(eb\)\s*=>\s*\(\s*)?\{[^}]*?\b(sold|held|\[counter\])\s*:/
    const writers = sources()
      .filter(([, text]) => setsCounter.test(text))
      .map(([module]) => module)
    expect(writers).toEqual([path.join('features', 'capacity', 'capacity.ts')])
  })
})
