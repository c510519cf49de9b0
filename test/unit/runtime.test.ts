import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

/**
 * The runtime is pinned in one version, said three ways: the `node` dev dependency (what npm scripts
 * run on), `.nvmrc` (for nvm, fnm, CI images) and `engines` (what npm and a production machine check);
 * and the pinned Node stays out of a production install.
 */
const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), "utf8");
const pkg = JSON.parse(read("package.json")) as {
  engines: { node: string };
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(read("package-lock.json")) as {
  packages: Record<string, { version?: string; dev?: boolean }>;
};
const pinned = pkg.devDependencies.node as string;

describe("the runtime", () => {
  it("is the pinned Node, exactly: the nested install fetched that version", () => {
    expect(process.version).toBe(`v${pinned}`);
  });

  it("is named the same in .nvmrc, and engines asks for its major version or later", () => {
    expect(read(".nvmrc").trim()).toBe(pinned);
    expect(pkg.engines.node).toBe(`>=${pinned.split(".")[0]}`);
  });

  it("is a dev dependency, like tsx: `npm ci --omit=dev` installs neither", () => {
    for (const name of ["node", "tsx"]) {
      expect(pkg.dependencies[name], name).toBeUndefined();
      expect(lock.packages[`node_modules/${name}`], name).toMatchObject({ dev: true });
    }
    expect(lock.packages["node_modules/node"]?.version).toBe(pinned);
  });
});
