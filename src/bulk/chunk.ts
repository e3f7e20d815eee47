// Chunking, kept apart from the engine so command modules can name the default without loading the engine.
export const DEFAULT_CHUNK_SIZE = 500;

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
