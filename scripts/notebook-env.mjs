// The notebook environment of this project: paths, the idempotent set-up (library build,
// Python venv with JupyterLab, the tslab kernel, the `fcn-viz` package link), and how to run
// Jupyter from it. Used by setup-notebooks.mjs, start.mjs, run-notebooks.mjs,
// notebooks-html.mjs and the tests. Plain Node (no shell), so it runs on macOS and Linux.
//
// Everything lands inside the project folder:
//   dist/                       the built library (npm run build)
//   .venv/                      Python venv: jupyterlab, nbclient, nbconvert, ipykernel, plotly
//   .venv/share/jupyter/kernels/tslab/kernel.json   the TypeScript kernel (this project's tslab,
//                               started through scripts/tslab-kernel.cjs)
//   .venv/share/jupyter/lab/settings/overrides.json JupyterLab defaults: no "get notified about
//                               news?" prompt, no news or update requests to the internet
//   .venv/jupyter-home/         Jupyter's config, data and runtime folders (JUPYTER_*_DIR), so
//                               Jupyter does not touch ~/.jupyter or ~/.local/share/jupyter
//   node_modules/fcn-viz        a symlink to the project, so notebooks import "fcn-viz" by name
// pip runs with --no-cache-dir, so it leaves no download cache in ~/.cache/pip either.
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const NOTEBOOKS = path.join(ROOT, "notebooks");
export const OUT_NOTEBOOKS = path.join(ROOT, "out", "notebooks");
export const VENV = path.join(ROOT, ".venv");
export const JUPYTER_HOME = path.join(VENV, "jupyter-home");
export const KERNEL_NAME = "tslab";
export const KERNEL_JSON = path.join(VENV, "share", "jupyter", "kernels", KERNEL_NAME, "kernel.json");
export const TSLAB_BIN = path.join(ROOT, "node_modules", ".bin", "tslab");
/** What kernel.json starts: tslab, answering the history requests tslab leaves unanswered. */
export const KERNEL_LAUNCHER = path.join(ROOT, "scripts", "tslab-kernel.cjs");
/** JupyterLab's default settings for this venv (read from {sys.prefix}/share/jupyter/lab/settings). */
export const LAB_OVERRIDES = path.join(VENV, "share", "jupyter", "lab", "settings", "overrides.json");
/**
 * Settings the project's JupyterLab starts with (the user can still change them): never ask
 * about, or fetch, Jupyter news (the question is a toast over the first notebook), so no
 * update checks either (they run only with news on).
 */
export const LAB_SETTINGS = {
  "@jupyterlab/apputils-extension:notification": { fetchNews: "false", checkForUpdates: false },
};
export const TSLAB_VERSION = "1.0.22";
export const PACKAGE_LINK = path.join(ROOT, "node_modules", "fcn-viz");
/** pip requirements of the venv; the module names are what the quick check looks for. */
export const PY_PACKAGES = ["jupyterlab>=4", "nbclient", "nbconvert", "ipykernel", "plotly"];
const PY_DISTS = ["jupyterlab", "nbclient", "nbconvert", "ipykernel", "plotly"];
/**
 * Fail fast when the package index is unreachable instead of retrying for minutes; no
 * download cache (it would land outside the project, in ~/.cache/pip).
 */
export const PIP_FLAGS = ["--retries", "0", "--timeout", "5", "--disable-pip-version-check", "--no-cache-dir"];
const WIN = process.platform === "win32";

export const venvPython = () => path.join(VENV, WIN ? "Scripts" : "bin", WIN ? "python.exe" : "python");
export const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

/** Environment for Jupyter processes: its folders inside .venv, nothing in the home folder. */
export function jupyterEnv(base = process.env, home = JUPYTER_HOME) {
  return {
    ...base,
    JUPYTER_CONFIG_DIR: path.join(home, "config"),
    JUPYTER_DATA_DIR: path.join(home, "data"),
    JUPYTER_RUNTIME_DIR: path.join(home, "runtime"),
    IPYTHONDIR: path.join(home, "ipython"),
    JUPYTER_PLATFORM_DIRS: "1",
    PYTHONNOUSERSITE: "1",
    // tslab's kernel is started with this node (see kernel.json); keep it first on PATH too.
    PATH: [path.dirname(process.execPath), base.PATH ?? ""].join(path.delimiter),
  };
}

/** Arguments for `python -m jupyter ...` from the venv (no shebang lines involved). */
export const jupyterArgs = (...args) => ["-m", "jupyter", ...args];

class SetupError extends Error {}

function log(quiet, msg) {
  if (!quiet) process.stdout.write(`[setup] ${msg}\n`);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: "inherit", ...opts });
  if (r.error) throw new SetupError(`could not run ${cmd}: ${r.error.message}`);
  return r.status ?? 1;
}

// ---------------------------------------------------------------------------------------
// Steps

function checkNode() {
  const [maj, min] = process.versions.node.split(".").map(Number);
  if (maj < 20 || (maj === 20 && min < 19)) {
    throw new SetupError(`Node ${process.versions.node} is too old: fcn-viz needs Node >= 20.19 (it loads ESM packages with require).`);
  }
}

/** node_modules/.bin/tslab must be tslab's own binary, in the version viz/tslab.ts is tested with. */
function checkTslab(quiet) {
  const pkgFile = path.join(ROOT, "node_modules", "tslab", "package.json");
  if (!fs.existsSync(pkgFile) || !fs.existsSync(TSLAB_BIN)) {
    throw new SetupError("tslab is not installed: run `npm install` in the project folder first.");
  }
  const pkg = JSON.parse(fs.readFileSync(pkgFile, "utf8"));
  const binReal = fs.realpathSync(TSLAB_BIN);
  const expected = fs.realpathSync(path.join(ROOT, "node_modules", "tslab", String(pkg.bin?.tslab ?? "bin/tslab")));
  if (pkg.name !== "tslab" || binReal !== expected) {
    throw new SetupError(`${TSLAB_BIN} is not tslab's binary (it points to ${binReal}); run \`npm ci\`.`);
  }
  if (pkg.version !== TSLAB_VERSION) {
    log(quiet, `warning: tslab ${pkg.version} is installed; figures are tested with tslab ${TSLAB_VERSION}.`);
  }
  return { version: pkg.version, bin: TSLAB_BIN };
}

function newestMtime(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return /\.(ts|mts|cts|json)$/.test(p) ? st.mtimeMs : 0;
  let m = 0;
  for (const e of fs.readdirSync(p)) m = Math.max(m, newestMtime(path.join(p, e)));
  return m;
}

function mtime(p) {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return -1;
  }
}

/** Builds the library when dist/ is missing or older than a source file. */
function ensureBuild(quiet, force) {
  const outputs = ["dist/src/index.js", "dist/src/index.d.ts", "dist/src/node.js", "dist/viz/index.js", "dist/viz/index.d.ts"].map((f) => path.join(ROOT, f));
  const oldestOut = Math.min(...outputs.map(mtime));
  const sources = ["src", "viz", "bench", "tsconfig.json", "tsconfig.build.json"].map((f) => newestMtime(path.join(ROOT, f)));
  const newestSrc = Math.max(...sources);
  if (!force && oldestOut >= 0 && oldestOut >= newestSrc) return false;
  log(quiet, oldestOut < 0 ? "building the library into dist/ (npm run build)" : "dist/ is older than the sources: rebuilding (npm run build)");
  const npmCli = process.env.npm_execpath;
  const status =
    npmCli && /npm-cli\.js$/.test(npmCli)
      ? run(process.execPath, [npmCli, "run", "--silent", "build"], { cwd: ROOT })
      : run(WIN ? "npm.cmd" : "npm", ["run", "--silent", "build"], { cwd: ROOT, shell: WIN });
  if (status !== 0) throw new SetupError("`npm run build` failed (see the errors above); the notebooks import the built library from dist/.");
  return true;
}

function findPython() {
  const candidates = process.env.PYTHON ? [process.env.PYTHON] : WIN ? ["py", "python"] : ["python3", "python"];
  for (const c of candidates) {
    const r = spawnSync(c, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { encoding: "utf8" });
    if (r.status === 0) {
      const [maj, min] = r.stdout.trim().split(".").map(Number);
      if (maj === 3 && min >= 9) return c;
    }
  }
  throw new SetupError("Python >= 3.9 was not found (tried python3, python; set PYTHON=/path/to/python3 to choose one). JupyterLab runs on Python.");
}

/** Versions of the venv's Python packages; a missing package maps to null. */
function venvPackages() {
  const code = `import json, importlib.metadata as m
out = {}
for d in ${JSON.stringify(PY_DISTS)}:
    try: out[d] = m.version(d)
    except Exception: out[d] = None
print(json.dumps(out))`;
  const r = spawnSync(venvPython(), ["-c", code], { encoding: "utf8" });
  if (r.status !== 0) return null;
  try {
    return JSON.parse(r.stdout.trim().split("\n").pop());
  } catch {
    return null;
  }
}

function ensureVenv(quiet) {
  let created = false;
  let pkgs = fs.existsSync(venvPython()) ? venvPackages() : null;
  if (pkgs === null) {
    if (fs.existsSync(VENV)) {
      log(quiet, `${path.relative(ROOT, VENV)}/ exists but its Python does not run (moved folder or removed Python?): recreating it`);
      fs.rmSync(VENV, { recursive: true, force: true });
    }
    const py = findPython();
    log(quiet, `creating the Python venv ${VENV} (${py} -m venv)`);
    if (run(py, ["-m", "venv", VENV]) !== 0 || !fs.existsSync(venvPython())) {
      throw new SetupError(`\`${py} -m venv ${VENV}\` failed. On Debian/Ubuntu install python3-venv (sudo apt install python3-venv) and run this again.`);
    }
    created = true;
    pkgs = venvPackages() ?? {};
  }
  const jl = pkgs.jupyterlab;
  const missing = PY_DISTS.filter((d) => !pkgs[d] || (d === "jupyterlab" && Number(String(jl).split(".")[0]) < 4));
  if (missing.length) {
    log(quiet, `installing into .venv/ with pip: ${PY_PACKAGES.join(" ")} (missing: ${missing.join(", ")}; about 30 s with a fast index)`);
    const r = spawnSync(venvPython(), ["-m", "pip", "install", "-q", ...PIP_FLAGS, ...PY_PACKAGES], {
      stdio: ["ignore", "inherit", "pipe"],
      encoding: "utf8",
      env: { ...process.env, PIP_PROGRESS_BAR: "off" },
      maxBuffer: 64 * 2 ** 20,
    });
    // Local mirrors list index folders for packages they do not carry; pip warns about each.
    const noise = /^WARNING: Location '[^']*' is ignored: it is neither a file nor a directory\.$/;
    const errText = String(r.stderr ?? "").split("\n").filter((l) => l && !noise.test(l)).join("\n");
    if (errText) process.stderr.write(errText + "\n");
    if (r.status !== 0) {
      throw new SetupError(`pip could not install ${PY_PACKAGES.join(" ")} into ${VENV} (see pip's message above; it gives up after one 5 s try per index, so check the network or pip's index settings).`);
    }
    pkgs = venvPackages();
    const still = PY_DISTS.filter((d) => !pkgs?.[d]);
    if (still.length) throw new SetupError(`pip finished but ${still.join(", ")} is still missing from ${VENV}.`);
  }
  // The venv lies inside this "type": "module" package, so Node would load the CommonJS .js
  // files Python packages ship (JupyterLab's yarn.js) as ESM and fail ("Dynamic require of
  // "util" is not supported"). A package.json marks .venv/ as CommonJS again.
  const scope = path.join(VENV, "package.json");
  const scopeText = '{ "type": "commonjs" }\n';
  if (!fs.existsSync(scope) || fs.readFileSync(scope, "utf8") !== scopeText) fs.writeFileSync(scope, scopeText);
  return { created, installed: missing.length > 0, versions: pkgs };
}

/** The TypeScript kernel, registered inside the venv (not in ~/.local/share/jupyter). */
function ensureKernel(quiet) {
  const spec = {
    // This node runs tslab (through the launcher that adds the history reply): a kernel
    // started by Jupyter then uses the same Node as the set-up did, whatever `node` comes
    // first on PATH.
    argv: [process.execPath, KERNEL_LAUNCHER, "kernel", "--config-path", "{connection_file}"],
    display_name: "TypeScript",
    language: "typescript",
  };
  const text = JSON.stringify(spec, null, 2) + "\n";
  let current = null;
  try {
    current = fs.readFileSync(KERNEL_JSON, "utf8");
  } catch {}
  if (current === text) return false;
  log(quiet, `registering the tslab kernel in ${path.relative(ROOT, KERNEL_JSON)} (node ${process.execPath}, ${spec.argv[1]})`);
  fs.mkdirSync(path.dirname(KERNEL_JSON), { recursive: true });
  fs.writeFileSync(KERNEL_JSON, text);
  return true;
}

/** JupyterLab's default settings inside the venv (LAB_SETTINGS); true when written. */
function ensureLabSettings(quiet) {
  const text = JSON.stringify(LAB_SETTINGS, null, 2) + "\n";
  let current = null;
  try {
    current = fs.readFileSync(LAB_OVERRIDES, "utf8");
  } catch {}
  if (current === text) return false;
  log(quiet, `writing JupyterLab's defaults to ${path.relative(ROOT, LAB_OVERRIDES)} (no news prompt, no news or update requests)`);
  fs.mkdirSync(path.dirname(LAB_OVERRIDES), { recursive: true });
  fs.writeFileSync(LAB_OVERRIDES, text);
  return true;
}

/**
 * `import * as fcn from "fcn-viz"` in a notebook: tslab type-checks with its own TypeScript
 * (5.0, moduleResolution node10: no package self-reference, no `exports`) and runs CommonJS
 * `require` from the notebook's folder, so the package must be found in node_modules, as it
 * would be in a user's project. A symlink to the project does that (npm may prune it on
 * `npm install`; the set-up puts it back).
 */
function ensurePackageLink(quiet) {
  let st = null;
  try {
    st = fs.lstatSync(PACKAGE_LINK);
  } catch {}
  if (st) {
    let real = null;
    try {
      real = fs.realpathSync(PACKAGE_LINK);
    } catch {}
    if (real === fs.realpathSync(ROOT)) return false;
    if (!st.isSymbolicLink()) {
      throw new SetupError(`${PACKAGE_LINK} is a real folder (an installed copy of fcn-viz?); remove it so the notebooks use this project's build.`);
    }
    fs.unlinkSync(PACKAGE_LINK);
  }
  log(quiet, `linking ${path.relative(ROOT, PACKAGE_LINK)} -> the project folder (so notebooks import "fcn-viz" by name)`);
  if (WIN) fs.symlinkSync(ROOT, PACKAGE_LINK, "junction");
  else fs.symlinkSync("..", PACKAGE_LINK);
  return true;
}

// ---------------------------------------------------------------------------------------
// Lock: the notebook and browser tests may run the set-up at the same time.

const LOCK = path.join(ROOT, "out", ".setup-notebooks.lock");

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}

async function withLock(fn, quiet) {
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  const deadline = Date.now() + 30 * 60_000;
  let told = false;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      fs.writeFileSync(path.join(LOCK, "pid"), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== "EEXIST") throw e;
      let pid = NaN;
      try {
        pid = Number(fs.readFileSync(path.join(LOCK, "pid"), "utf8"));
      } catch {}
      const age = Date.now() - mtime(LOCK);
      if ((Number.isFinite(pid) && pid > 0 && !alive(pid)) || (!Number.isFinite(pid) && age > 10_000)) {
        fs.rmSync(LOCK, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new SetupError(`another set-up (pid ${pid}) has held ${LOCK} for 30 min; remove it if that process is gone.`);
      if (!told) log(quiet, `waiting for another set-up to finish (pid ${pid})`);
      told = true;
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

/**
 * The whole set-up, idempotent: each step checks first and only acts when needed.
 * Returns what it found and did; throws an Error with a plain message when a step fails.
 */
export async function ensureSetup({ quiet = false, rebuild = false } = {}) {
  const t0 = performance.now();
  return withLock(async () => {
    try {
      checkNode();
      const tslab = checkTslab(quiet);
      const built = ensureBuild(quiet, rebuild);
      const venv = ensureVenv(quiet);
      const kernel = ensureKernel(quiet);
      const labSettings = ensureLabSettings(quiet);
      const link = ensurePackageLink(quiet);
      fs.mkdirSync(JUPYTER_HOME, { recursive: true });
      const seconds = (performance.now() - t0) / 1000;
      const did = [built && "built dist/", venv.created && "created .venv/", venv.installed && "installed Python packages", kernel && "registered the kernel", labSettings && "wrote JupyterLab's defaults", link && "linked fcn-viz"].filter(Boolean);
      log(
        quiet,
        `${did.length ? did.join(", ") : "up to date"} (${seconds.toFixed(1)} s): JupyterLab ${venv.versions.jupyterlab}, nbclient ${venv.versions.nbclient}, ` +
          `plotly ${venv.versions.plotly}, tslab ${tslab.version} kernel "${KERNEL_NAME}"`,
      );
      return { seconds, did, versions: venv.versions, tslab: tslab.version };
    } catch (e) {
      if (e instanceof SetupError) {
        const err = new Error(`notebook set-up failed: ${e.message}`);
        err.setup = true;
        throw err;
      }
      throw e;
    }
  }, quiet);
}

/** Runs `python -m jupyter ...` from the venv; resolves with the exit code. */
export function jupyter(args, opts = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(venvPython(), jupyterArgs(...args), { stdio: "inherit", env: jupyterEnv(), ...opts });
    p.on("error", reject);
    p.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** Notebooks in notebooks/, sorted; `names` picks by file name, name without .ipynb, or prefix ("01"). */
export function findNotebooks(names = []) {
  const all = fs.existsSync(NOTEBOOKS)
    ? fs.readdirSync(NOTEBOOKS).filter((f) => f.endsWith(".ipynb")).sort().map((f) => path.join(NOTEBOOKS, f))
    : [];
  if (!names.length) return all;
  return names.map((n) => {
    if (fs.existsSync(n) && n.endsWith(".ipynb")) return path.resolve(n);
    const base = path.basename(n).replace(/\.ipynb$/, "");
    const exact = all.find((f) => path.basename(f, ".ipynb") === base);
    if (exact) return exact;
    const pre = all.filter((f) => path.basename(f).startsWith(base));
    if (pre.length === 1) return pre[0];
    throw new Error(pre.length ? `"${n}" matches several notebooks: ${pre.map((f) => path.basename(f)).join(", ")}` : `no notebook "${n}" in ${NOTEBOOKS}`);
  });
}
