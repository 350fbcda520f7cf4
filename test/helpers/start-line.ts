/**
 * A start line for a race between requests that do different amounts of
 * work before their transaction (a ticket move reads the order, its tickets
 * and the types; a purchase reads less): each request that reaches it waits
 * there, at the last step before its transaction (a guard's `before` seam),
 * until all `expected` have, and then all go at once, taken in turn from each
 * lane (a move, a purchase, a move…), so that neither kind is first in line
 * at the database only because it arrived here first. It changes no guard:
 * it only makes requests sent together meet at the database together.
 * Should some never arrive, all go after `timeoutMs`, and `timedOut` says so.
 */
export class StartLine {
  private readonly lanes = new Map<string, (() => void)[]>()
  private arrived = 0
  private readonly timer: NodeJS.Timeout
  timedOut = false

  constructor(
    private readonly expected: number,
    timeoutMs = 20_000,
  ) {
    this.timer = setTimeout(() => {
      this.timedOut = true
      this.go()
    }, timeoutMs)
  }

  /** Arrives at the line in `lane`, and waits there until everyone has. */
  wait(lane: string): Promise<void> {
    return new Promise((resolve) => {
      this.lanes.set(lane, [...(this.lanes.get(lane) ?? []), resolve])
      this.arrived += 1
      if (this.arrived === this.expected) this.go()
    })
  }

  /** Lets each go in turn, one a turn of the event loop: each is on its way to the database before the next goes. */
  private go(): void {
    clearTimeout(this.timer)
    const lanes = [...this.lanes.values()]
    this.lanes.clear()
    const order: (() => void)[] = []
    for (let i = 0; lanes.some((lane) => i < lane.length); i++) for (const lane of lanes) if (lane[i]) order.push(lane[i]!)
    const next = () => {
      order.shift()?.()
      if (order.length > 0) setImmediate(next)
    }
    next()
  }
}
