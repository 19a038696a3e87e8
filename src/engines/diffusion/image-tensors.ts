import { loadSharp } from '../../media/load-sharp.ts';
import { ShenbiError } from '../../core/errors.ts';
import { sharpErrorGist } from '../image-ops/sharp-error.ts';

/** VAE output [1, 3, H, W] in [-1, 1] to PNG bytes. */
export async function decodedToPng(pixels: Float32Array, width: number, height: number): Promise<Buffer> {
  const sharp = await loadSharp();
  const plane = width * height;
  if (pixels.length < 3 * plane) throw new ShenbiError('ENGINE_FAILED', `the VAE decoder returned ${pixels.length} values; expected ${3 * plane}`);
  const rgb = Buffer.allocUnsafe(3 * plane);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      const v = (pixels[c * plane + i]! / 2 + 0.5) * 255;
      rgb[3 * i + c] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
  }
  return sharp(rgb, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** Any image sharp reads, cover-resized to width × height, as [1, 3, H, W] in [-1, 1] for the VAE encoder. */
export async function imageToTensor(bytes: Uint8Array, width: number, height: number): Promise<Float32Array> {
  const sharp = await loadSharp();
  let rgb: Buffer;
  try {
    rgb = await sharp(bytes, { limitInputPixels: 50_000_000 }).rotate().resize(width, height, { fit: 'cover' }).removeAlpha().toColourspace('srgb').raw().toBuffer();
  } catch (error) {
    throw new ShenbiError('MEDIA_INVALID', `the init image cannot be decoded: ${sharpErrorGist(error)}`, { cause: error });
  }
  const plane = width * height;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++) for (let c = 0; c < 3; c++) out[c * plane + i] = rgb[3 * i + c]! / 127.5 - 1;
  return out;
}
