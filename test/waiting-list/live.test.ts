import { expect, it } from 'vitest'
import { useTestApp } from '../helpers/app.js'
import { TestBrowser } from '../helpers/browser.js'
import { describeEachDatabase } from '../helpers/database.js'
import { useLiveClients } from '../live/live-client.js'
import { cancelAsBuyer, join, soldOutEvent } from './support.js'

describeEachDatabase('live pages and the waiting list', (kind) => {
  const t = useTestApp(kind)
  const { connect } = useLiveClients(t)

  it('say a type is sold out with its waiting list open, and update when an offer is made and when tickets are free again', async () => {
    const { owner, eventId, typeId, orders } = await soldOutEvent(t.db, { capacity: 2 })
    await join(t.app, eventId, typeId, { email: 'only@example.test' })
    const ownerBrowser = new TestBrowser(t.app)
    await ownerBrowser.login(owner.email, owner.password)
    const visitor = await connect()
    const organiser = await connect({ cookie: ownerBrowser.cookieHeader() })
    visitor.subscribe(eventId)
    organiser.subscribe(eventId)
    const first = await visitor.waitFor((message) => message.type === 'state' && message.event.id === eventId)
    expect(first.type === 'state' && first.event.ticketTypes[0]).toMatchObject({
      remaining: 0,
      soldOut: true,
      onSale: false,
      salesOpen: true,
      waitingList: true,
    })
    await organiser.waitFor((message) => message.type === 'state' && message.event.id === eventId)

    // A cancellation goes to the person waiting: still sold out to the public, one held for the owner.
    const seenByOwner = organiser.messages.length
    await cancelAsBuyer(t.app, t.db, orders[0]!.id)
    const offered = await organiser.waitFor((message) => message.type === 'state' && message.event.ticketTypes[0]?.held === 1, seenByOwner)
    expect(offered.type === 'state' && offered.event.ticketTypes[0]).toMatchObject({ remaining: 0, sold: 1, held: 1, waitingList: true })

    // With nobody left waiting, the next cancellation is for anyone.
    const seen = visitor.messages.length
    await cancelAsBuyer(t.app, t.db, orders[1]!.id)
    const free = await visitor.waitForRemaining(eventId, 1, seen)
    expect(free.ticketTypes[0]).toMatchObject({ remaining: 1, soldOut: false, waitingList: false })
    expect(free.ticketTypes[0]!.held).toBeUndefined()
  })
})
