/**
 * Browser stand-in for `node:fs` and `node:path`. The library imports them statically
 * for its path-based functions (readWeights, writeWeights, Figure.save, font lookup);
 * the page never calls those (it reads weights with readWeightsBytes), and if it did,
 * the error would say so instead of failing on an undefined function.
 */
const nodeOnly = (what: string) => (): never => {
  throw new Error(`${what} needs Node's file system, which a browser does not have`);
};

export const existsSync = nodeOnly("fs.existsSync");
export const statSync = nodeOnly("fs.statSync");
export const readFileSync = nodeOnly("fs.readFileSync");
export const writeFileSync = nodeOnly("fs.writeFileSync");
export const mkdirSync = nodeOnly("fs.mkdirSync");
export const promises = new Proxy({}, { get: (_t, p) => nodeOnly(`fs.promises.${String(p)}`) });

// node:path
export const sep = "/";
export const delimiter = ":";
export const join = nodeOnly("path.join");
export const resolve = nodeOnly("path.resolve");
export const dirname = nodeOnly("path.dirname");
export const basename = nodeOnly("path.basename");
export const extname = nodeOnly("path.extname");

export default { existsSync, statSync, readFileSync, writeFileSync, mkdirSync, promises, sep, delimiter, join, resolve, dirname, basename, extname };
