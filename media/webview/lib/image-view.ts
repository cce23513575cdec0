// The image preview: a canvas showing one frame, window/level applied here from the modality
// values the host decoded (mouse drag, arrow keys, presets), a frame slider for multi-frame files.

import { h, setText, frameThrottle } from './dom';
import { applyWindow, dragWindow } from '../../../src/dicom/pixels/window-level';
import type { FrameData, GrayFrame, ImageSummary, VoiWindow } from '../../../src/dicom/pixels/frame-data';

export type FrameLoader = (frame: number, signal: AbortSignal) => Promise<FrameData>;

const CACHE_SIZE = 8;

/** How a frame's pixels crossed postMessage: a typed array's constructor name, 'ArrayBuffer', 'Array' or 'object'. */
function transportOf(f: FrameData): string {
  const p = f.pixels as unknown;
  if (ArrayBuffer.isView(p)) return p.constructor.name;
  if (p instanceof ArrayBuffer) return 'ArrayBuffer';
  return Array.isArray(p) ? 'Array' : typeof p;
}

/** Typed arrays may arrive as such, as an ArrayBuffer, or (older hosts) as plain arrays/objects. */
function normalize(f: FrameData): FrameData {
  const p = f.pixels as unknown;
  if (ArrayBuffer.isView(p)) return f;
  const asArray = (x: unknown): ArrayLike<number> => (x instanceof ArrayBuffer ? new Uint8Array(x) : Array.isArray(x) ? x : Object.values(x as object) as number[]);
  if (f.kind === 'rgba') return { ...f, pixels: new Uint8ClampedArray(p instanceof ArrayBuffer ? p : asArray(p)) };
  if (p instanceof ArrayBuffer) return { ...f, pixels: p.byteLength === f.width * f.height * 2 ? new Int16Array(p) : new Float32Array(p) };
  return { ...f, pixels: Float32Array.from(asArray(p)) };
}

export class ImageView {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly info: HTMLElement;
  private readonly status: HTMLElement;
  private readonly slider: HTMLInputElement;
  private readonly frameLabel: HTMLElement;
  private readonly presets: HTMLSelectElement;
  private readonly cache = new Map<number, FrameData>();
  private current?: FrameData;
  private imageData?: ImageData;
  private center = 0;
  private width = 1;
  private invert = false;
  private frameIndex = 0;
  private frames = 1;
  private loading?: AbortController;
  /** How the last frame's pixels arrived (VS Code keeps typed arrays typed: see the UI tests). */
  transport?: string;
  private drag?: { x: number; y: number; center: number; width: number; pointer: number };
  private readonly draw = frameThrottle(() => this.paint());

  constructor(private readonly summary: ImageSummary, private readonly load: FrameLoader) {
    this.canvas = h('canvas', { class: 'image-canvas', tabindex: 0, 'aria-label': 'Image preview: drag or use the arrow keys to change window and level' });
    this.ctx = this.canvas.getContext('2d')!;
    this.info = h('span', { class: 'wl muted', 'aria-live': 'polite' });
    this.status = h('span', { class: 'image-status muted', role: 'status' });
    this.slider = h('input', { type: 'range', class: 'frame-slider', min: 0, max: 0, value: 0, step: 1, 'aria-label': 'Frame' });
    this.frameLabel = h('span', { class: 'frame-label' });
    this.presets = h('select', { class: 'presets', 'aria-label': 'Window preset' });
    const reset = h('vscode-button', { secondary: true, icon: 'discard', title: 'Reset window/level (R)' }, 'Reset');
    const invert = h('vscode-button', { secondary: true, icon: 'color-mode', title: 'Invert (I)' }, 'Invert');
    reset.addEventListener('click', () => this.reset());
    invert.addEventListener('click', () => this.toggleInvert());
    const frameBar = h('span', { class: 'frame-bar' }, this.slider, this.frameLabel);
    const toolbar = h('div', { class: 'toolbar image-toolbar' }, this.info, this.presets, reset, invert, h('span', { class: 'spacer' }), frameBar, this.status);
    this.element = h('div', { class: 'image-view' }, toolbar, h('div', { class: 'canvas-box' }, this.canvas));

    if (!summary.hasImage) {
      this.canvas.hidden = true;
      toolbar.classList.add('hidden');
      this.element.append(h('p', { class: 'no-image muted' }, summary.reason));
      return;
    }
    this.frames = summary.frames;
    this.slider.max = String(summary.frames - 1);
    frameBar.classList.toggle('hidden', summary.frames < 2);
    this.slider.addEventListener('input', () => this.showFrame(Number(this.slider.value)));
    this.presets.addEventListener('change', () => this.applyPreset());
    this.canvas.addEventListener('pointerdown', (e) => this.onPointerDown(e));
    this.canvas.addEventListener('pointermove', (e) => this.onPointerMove(e));
    this.canvas.addEventListener('pointerup', (e) => this.onPointerUp(e));
    this.canvas.addEventListener('pointercancel', (e) => this.onPointerUp(e));
    this.canvas.addEventListener('dblclick', () => this.reset());
    this.canvas.addEventListener('keydown', (e) => this.onKey(e));
  }

  /** Loads the first frame (once the view is shown). */
  start(): void {
    if (this.summary.hasImage && !this.current && !this.loading) this.showFrame(0);
  }

  get state(): { frame: number; center: number; width: number; invert: boolean } {
    return { frame: this.frameIndex, center: this.center, width: this.width, invert: this.invert };
  }

  showFrame(index: number): void {
    if (!this.summary.hasImage) return;
    index = Math.max(0, Math.min(this.frames - 1, index));
    this.frameIndex = index;
    this.slider.value = String(index);
    setText(this.frameLabel, `Frame ${index + 1} / ${this.frames}`);
    const hit = this.cache.get(index);
    this.loading?.abort();
    this.loading = undefined;
    if (hit) {
      this.setFrame(hit);
      return;
    }
    const controller = new AbortController();
    this.loading = controller;
    setText(this.status, `Decoding frame ${index + 1}…`);
    this.load(index, controller.signal).then((raw) => {
      if (controller.signal.aborted) return;
      this.transport = transportOf(raw);
      const f = normalize(raw);
      this.cache.set(index, f);
      if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as number);
      this.loading = undefined;
      setText(this.status, '');
      this.setFrame(f);
    }, (e: Error) => {
      if (controller.signal.aborted) return;
      this.loading = undefined;
      setText(this.status, e.message);
      this.status.classList.add('error-text');
    });
  }

  private setFrame(f: FrameData): void {
    const first = !this.current;
    this.current = f;
    this.status.classList.remove('error-text');
    if (this.canvas.width !== f.width || this.canvas.height !== f.height || !this.imageData) {
      this.canvas.width = f.width;
      this.canvas.height = f.height;
      this.imageData = this.ctx.createImageData(f.width, f.height);
    }
    this.canvas.classList.toggle('small', f.width < 256 && f.height < 256);
    if (f.kind === 'gray') {
      if (first) {
        this.invert = f.invert;
        this.center = f.window.center;
        this.width = f.window.width;
        this.fillPresets(f);
      }
    } else {
      this.presets.classList.add('hidden');
    }
    this.paint();
  }

  private fillPresets(f: GrayFrame): void {
    const all: VoiWindow[] = [...f.windows, { center: (f.min + f.max) / 2, width: Math.max(1, f.max - f.min), explanation: 'Full range' }];
    this.presets.replaceChildren(...all.map((w, i) => h('option', { value: i }, `${w.explanation ?? `Window ${i + 1}`} (C ${round(w.center)}, W ${round(w.width)})`)));
    this.presets.classList.toggle('hidden', all.length < 2);
  }

  private applyPreset(): void {
    const f = this.current;
    if (f?.kind !== 'gray') return;
    const all = [...f.windows, { center: (f.min + f.max) / 2, width: Math.max(1, f.max - f.min) }];
    const w = all[Number(this.presets.value)];
    if (!w) return;
    this.center = w.center;
    this.width = w.width;
    this.draw();
  }

  private paint(): void {
    const f = this.current;
    if (!f || !this.imageData) return;
    if (f.kind === 'gray') {
      applyWindow(f, this.center, this.width, f.voiFunction, this.invert, this.imageData.data);
      setText(this.info, `C ${round(this.center)}  W ${round(this.width)}${this.invert ? '  inverted' : ''}`);
    } else {
      const d = this.imageData.data;
      d.set(f.pixels.subarray(0, d.length));
      if (this.invert) for (let i = 0; i < d.length; i += 4) { d[i] = 255 - d[i]!; d[i + 1] = 255 - d[i + 1]!; d[i + 2] = 255 - d[i + 2]!; }
      setText(this.info, `${f.photometric} (color)${this.invert ? '  inverted' : ''}`);
    }
    this.ctx.putImageData(this.imageData, 0, 0);
    this.canvas.dataset.center = String(this.center);
    this.canvas.dataset.width = String(this.width);
    this.canvas.dataset.frame = String(f.frame);
  }

  reset(): void {
    const f = this.current;
    if (!f) return;
    if (f.kind === 'gray') {
      this.center = f.window.center;
      this.width = f.window.width;
      this.invert = f.invert;
      this.presets.value = '0';
    } else {
      this.invert = false;
    }
    this.draw();
  }

  private toggleInvert(): void {
    this.invert = !this.invert;
    this.draw();
  }

  private range(): number {
    const f = this.current;
    return f?.kind === 'gray' ? Math.max(1, f.max - f.min) : 256;
  }

  private onPointerDown(e: PointerEvent): void {
    if (e.button !== 0 || this.current?.kind !== 'gray') return;
    this.canvas.setPointerCapture(e.pointerId);
    this.drag = { x: e.clientX, y: e.clientY, center: this.center, width: this.width, pointer: e.pointerId };
    this.canvas.focus();
    e.preventDefault();
  }

  private onPointerMove(e: PointerEvent): void {
    if (!this.drag || e.pointerId !== this.drag.pointer) return;
    const rect = this.canvas.getBoundingClientRect();
    const w = dragWindow(this.drag, e.clientX - this.drag.x, e.clientY - this.drag.y, this.range(), { width: rect.width, height: rect.height });
    this.center = w.center;
    this.width = w.width;
    this.draw();
  }

  private onPointerUp(e: PointerEvent): void {
    if (!this.drag || e.pointerId !== this.drag.pointer) return;
    this.drag = undefined;
    if (this.canvas.hasPointerCapture(e.pointerId)) this.canvas.releasePointerCapture(e.pointerId);
  }

  private onKey(e: KeyboardEvent): void {
    const step = this.range() / 100;
    const gray = this.current?.kind === 'gray';
    switch (e.key) {
      case 'ArrowLeft': if (!gray) return; this.width = Math.max(1, this.width - step); break;
      case 'ArrowRight': if (!gray) return; this.width += step; break;
      case 'ArrowUp': if (!gray) return; this.center -= step; break;
      case 'ArrowDown': if (!gray) return; this.center += step; break;
      case 'PageUp': case ',': this.showFrame(this.frameIndex - 1); e.preventDefault(); return;
      case 'PageDown': case '.': this.showFrame(this.frameIndex + 1); e.preventDefault(); return;
      case 'Home': this.showFrame(0); e.preventDefault(); return;
      case 'End': this.showFrame(this.frames - 1); e.preventDefault(); return;
      case 'r': case 'R': this.reset(); e.preventDefault(); return;
      case 'i': case 'I': this.toggleInvert(); e.preventDefault(); return;
      default: return;
    }
    e.preventDefault();
    this.draw();
  }
}

function round(n: number): string {
  return Math.abs(n) >= 100 ? String(Math.round(n)) : String(Math.round(n * 10) / 10);
}
