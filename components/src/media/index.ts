// Media components: image, audio and video input (bytes, type, metadata) and image resize/convert.
export { AudioInput } from './audio.ts';
export { ImageInput } from './image.ts';
export { ImageTransform } from './image-transform.ts';
export { VideoInput } from './video.ts';
