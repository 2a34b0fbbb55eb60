/** Types of scripts/explorer.mjs (used by test/explorer.test.ts and bench/explorer-bench.mjs). */
export declare const ROOT: string;
export declare const EXPLORER: string;
export declare const DEFAULT_OUT: string;
export declare const ISOLATION_HEADERS: Record<string, string>;
export interface ExplorerManifest {
  generated: string;
  models: { url: string; name: string; bytes: number; metadata: Record<string, string> }[];
  modelCard: string | null;
  samples: { url: string; name: string; from: string }[];
  wasmPath: string;
  published: PublishedListing;
}
/** The published nets in the weights cache (see publishedListing in explorer.mjs). */
export interface PublishedListing {
  cacheDir: string;
  cached: {
    name: string;
    description: string;
    model: string;
    classes: number;
    atOnce?: boolean;
    licence: string;
    file: string;
    bytes: number;
    url: string;
    classNames: string[];
  }[];
}
export declare function publishedListing(): Promise<PublishedListing>;
export declare function generatePublic(o?: { root?: string; modelsDir?: string; publicDir?: string }): Promise<{ publicDir: string; manifest: ExplorerManifest }>;
export declare function viteConfig(o?: { outDir?: string; publicDir?: string }): Record<string, unknown>;
export declare function buildExplorer(o?: { outDir?: string; root?: string; modelsDir?: string; quiet?: boolean }): Promise<{ outDir: string; ms: number; manifest: ExplorerManifest }>;
export declare function serveStatic(
  dir: string,
  o?: { host?: string; port?: number; strictPort?: boolean; published?: boolean },
): Promise<{ url: string; port: number; close: () => Promise<void> }>;
