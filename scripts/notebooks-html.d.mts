// Types of notebooks-html.mjs, for the TypeScript tests that import it.
export declare const OUT_HTML: string;
export declare const MATHJAX_URL: string;
export declare function copyMathJax(outDir: string): string;
export declare function exportHtml(executed: string[], outDir?: string): string[];
