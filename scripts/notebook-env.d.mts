// Types of notebook-env.mjs, for the TypeScript tests that import it.
export declare const ROOT: string;
export declare const NOTEBOOKS: string;
export declare const OUT_NOTEBOOKS: string;
export declare const VENV: string;
export declare const JUPYTER_HOME: string;
export declare const KERNEL_NAME: string;
export declare const KERNEL_JSON: string;
export declare const TSLAB_BIN: string;
export declare const KERNEL_LAUNCHER: string;
export declare const LAB_OVERRIDES: string;
export declare const LAB_SETTINGS: Record<string, Record<string, unknown>>;
export declare const TSLAB_VERSION: string;
export declare const PACKAGE_LINK: string;
export declare const PY_PACKAGES: readonly string[];
export declare const PIP_FLAGS: readonly string[];
export declare function venvPython(): string;
export declare function isRoot(): boolean;
export declare function jupyterEnv(base?: NodeJS.ProcessEnv, home?: string): NodeJS.ProcessEnv;
export declare function jupyterArgs(...args: string[]): string[];
export interface SetupResult {
  seconds: number;
  did: string[];
  versions: Record<string, string | null>;
  tslab: string;
}
export declare function ensureSetup(o?: { quiet?: boolean; rebuild?: boolean }): Promise<SetupResult>;
export declare function jupyter(args: string[], opts?: object): Promise<number>;
export declare function findNotebooks(names?: string[]): string[];
