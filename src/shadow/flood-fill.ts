/**
 * Morphological fill of the dark pits of a band (priority flood, as Fmask fills NIR and SWIR1):
 * each pixel is raised to the lowest level from which water poured at the window border would
 * reach it. Pixels outside the window and nodata pixels (NaN) stand at `boundary`, so a pit that
 * touches them is filled to at least that level. Returns filled values (NaN where nodata).
 */
export function fillPits(values: Float32Array, width: number, height: number, boundary: number): Float32Array {
  const n = width * height;
  const filled = new Float32Array(n).fill(Number.NaN);
  const done = new Uint8Array(n);
  const heap = new MinHeap(n);
  const seed = (i: number) => {
    const v = values[i]!;
    if (Number.isNaN(v)) {
      done[i] = 1;
      return;
    }
    filled[i] = Math.max(v, boundary);
    done[i] = 1;
    heap.push(i, filled[i]!);
  };
  for (let x = 0; x < width; x++) {
    seed(x);
    if (height > 1) seed((height - 1) * width + x);
  }
  for (let y = 1; y < height - 1; y++) {
    seed(y * width);
    if (width > 1) seed(y * width + width - 1);
  }
  // Pixels next to nodata also pour out at the boundary level.
  for (let i = 0; i < n; i++) {
    if (done[i] || !Number.isNaN(values[i]!)) continue;
    done[i] = 1;
    const x = i % width;
    const y = (i - x) / width;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        const yy = y + dy;
        if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue;
        const j = yy * width + xx;
        if (!done[j] && !Number.isNaN(values[j]!)) seed(j);
      }
    }
  }
  // A neighbour at or below the level being poured is filled to that level: it is queued in a
  // plain FIFO and flooded before the heap's next pop (the Priority-Flood pit queue of Barnes et
  // al. 2014). Cells still leave in order of level, so the fill is the same, with far fewer heap
  // operations in pits and flats.
  const pit = new Int32Array(n);
  let pitHead = 0;
  let pitTail = 0;
  while (heap.size > 0 || pitHead < pitTail) {
    let i: number;
    if (pitHead < pitTail) {
      i = pit[pitHead++]!;
    } else {
      i = heap.pop();
      pitHead = 0;
      pitTail = 0;
    }
    const level = filled[i]!;
    const x = i % width;
    const y = (i - x) / width;
    for (let k = 0; k < 4; k++) {
      const xx = x + (k === 0 ? -1 : k === 1 ? 1 : 0);
      const yy = y + (k === 2 ? -1 : k === 3 ? 1 : 0);
      if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue;
      const j = yy * width + xx;
      if (done[j]) continue;
      done[j] = 1;
      const v = values[j]!;
      if (Number.isNaN(v)) continue;
      if (v <= level) {
        filled[j] = level;
        pit[pitTail++] = j;
      } else {
        filled[j] = v;
        heap.push(j, v);
      }
    }
  }
  return filled;
}

/** A binary min-heap of pixel indices keyed by float level. */
class MinHeap {
  private readonly keys: Float32Array;
  private readonly items: Int32Array;
  size = 0;

  constructor(capacity: number) {
    this.keys = new Float32Array(Math.max(1, capacity));
    this.items = new Int32Array(Math.max(1, capacity));
  }

  push(item: number, key: number): void {
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.keys[parent]! <= key) break;
      this.keys[i] = this.keys[parent]!;
      this.items[i] = this.items[parent]!;
      i = parent;
    }
    this.keys[i] = key;
    this.items[i] = item;
  }

  pop(): number {
    const top = this.items[0]!;
    const last = --this.size;
    const key = this.keys[last]!;
    const item = this.items[last]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      if (child + 1 < last && this.keys[child + 1]! < this.keys[child]!) child++;
      if (this.keys[child]! >= key) break;
      this.keys[i] = this.keys[child]!;
      this.items[i] = this.items[child]!;
      i = child;
    }
    this.keys[i] = key;
    this.items[i] = item;
    return top;
  }
}
