// Batches renders: however many messages arrive between two frames cause one render.

export type FrameRequester = (callback: () => void) => unknown;

export class RenderScheduler {
  private scheduled = false;
  /** Renders done so far (the tests read it to check batching). */
  renders = 0;

  constructor(
    private readonly render: () => void,
    private readonly requestFrame: FrameRequester,
  ) {}

  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.requestFrame(() => {
      this.scheduled = false;
      this.renders++;
      this.render();
    });
  }
}
