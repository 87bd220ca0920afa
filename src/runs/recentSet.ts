// A Set that keeps only its most recent entries: for bookkeeping that is
// added to once per run ("started here", "announced") and would otherwise
// grow for as long as the window stays open.
export class RecentSet<T> extends Set<T> {
  constructor(private readonly max: number) {
    super();
  }

  override add(value: T): this {
    // Re-adding moves the value to the newest end.
    super.delete(value);
    super.add(value);
    if (this.size > this.max) {
      const oldest = this.values().next();
      if (!oldest.done) super.delete(oldest.value);
    }
    return this;
  }
}
