/** Page numbers and prev/next links for list pages whose filters live in the query string. */

/** The page asked for, or 1 for anything that is not a whole number from 1. */
export function pageNumber(value: string): number {
  return /^[1-9]\d{0,5}$/.test(value) ? Number(value) : 1
}

export interface Pager {
  page: number
  previousLink: string | null
  nextLink: string | null
}

/** The list's URL with its filters: empty filters and page 1 are left out, so links stay short. */
export function listUrl(path: string, filters: Record<string, string>, page = 1): string {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(filters)) if (value !== '') params.set(name, value)
  if (page > 1) params.set('page', String(page))
  const search = params.toString()
  return search ? `${path}?${search}` : path
}

export function pager(path: string, filters: Record<string, string>, page: number, hasNext: boolean): Pager {
  return {
    page,
    previousLink: page > 1 ? listUrl(path, filters, page - 1) : null,
    nextLink: hasNext ? listUrl(path, filters, page + 1) : null,
  }
}
