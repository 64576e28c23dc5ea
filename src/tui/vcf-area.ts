import { useEffect, useState } from 'react';
import type * as Vcf from '../vcf/index.ts';

// the variant area (query layer, schemas, presets) loads when a variant screen first asks
// for it, not with the app: most sessions never open the browser

export type VcfArea = typeof Vcf;

let loading: Promise<VcfArea> | null = null;

export function vcfArea(): Promise<VcfArea> {
  return (loading ??= import('../vcf/index.ts'));
}

/** the variant area once loaded; null on the first renders */
export function useVcfArea(): VcfArea | null {
  const [area, setArea] = useState<VcfArea | null>(null);
  useEffect(() => {
    let live = true;
    void vcfArea().then((a) => {
      if (live) setArea(a);
    });
    return () => {
      live = false;
    };
  }, []);
  return area;
}
