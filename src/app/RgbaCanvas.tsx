/**
 * Draws an RGBA pixel buffer (an image, a preview or a greyscale heatmap) into a canvas that keeps a
 * fixed box, so streaming results never shift the layout.
 */
import { useEffect, useRef } from 'react';

export interface RgbaCanvasProps {
  width: number;
  height: number;
  rgba?: Uint8ClampedArray;
  label: string;
  className?: string;
  pixelated?: boolean;
}

export function RgbaCanvas({ width, height, rgba, label, className, pixelated }: RgbaCanvasProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    if (!rgba) {
      ctx.clearRect(0, 0, width, height);
      return;
    }
    ctx.putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), 0, 0);
  }, [rgba, width, height]);
  return (
    <canvas
      ref={ref}
      width={width}
      height={height}
      role="img"
      aria-label={label}
      className={className}
      style={{ imageRendering: pixelated ? 'pixelated' : 'auto' }}
    />
  );
}

/** Greyscale bytes → opaque RGBA. */
export function greyToRgba(grey: Uint8ClampedArray): Uint8ClampedArray {
  const out = new Uint8ClampedArray(grey.length * 4);
  for (let i = 0; i < grey.length; i++) {
    out[4 * i] = out[4 * i + 1] = out[4 * i + 2] = grey[i];
    out[4 * i + 3] = 255;
  }
  return out;
}
