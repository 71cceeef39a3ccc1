/** Connected components (8-connected) of the pixels where `inside` is true; labels 1..count, 0 outside. */
export function labelComponents(inside: (i: number) => boolean, width: number, height: number): { labels: Int32Array; count: number; pixels: Int32Array[] } {
  const n = width * height;
  const labels = new Int32Array(n);
  const stack = new Int32Array(n);
  const pixels: Int32Array[] = [];
  let count = 0;
  for (let start = 0; start < n; start++) {
    if (labels[start] !== 0 || !inside(start)) continue;
    const label = ++count;
    let top = 0;
    let size = 0;
    stack[top++] = start;
    labels[start] = label;
    const members: number[] = [];
    while (top > 0) {
      const i = stack[--top]!;
      members.push(i);
      size++;
      const x = i % width;
      const y = (i - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= width) continue;
          const j = yy * width + xx;
          if (labels[j] === 0 && inside(j)) {
            labels[j] = label;
            stack[top++] = j;
          }
        }
      }
    }
    pixels.push(Int32Array.from(members));
  }
  return { labels, count, pixels };
}
