// What renderers need from the page: a way to post to the host and the image resolver.
import type { WebviewMessage } from '../shared/protocol';
import type { ImageResolver } from './images';

export interface RenderContext {
  post(msg: WebviewMessage): void;
  images: ImageResolver;
}
