export function rng(seed: number): () => number;
export const HEADER: string;
export function generateVcf(path: string, records: number, seed?: number): Promise<number>;
