// Optimises wasm files for size in place, as `wasm-opt -Oz` does, with
// binaryen's own JS build loaded once for all the files (starting its
// command-line tool costs a second per file, and the split build has
// hundreds). Arguments: binaryen's index.js, then the files.
import fs from "node:fs";
import { pathToFileURL } from "node:url";

const [binaryenIndex, ...files] = process.argv.slice(2);
const { default: binaryen } = await import(pathToFileURL(binaryenIndex).href);
// -Oz: the default passes at optimisation level 2, shrink level 2. The
// features are read from the module (the target_features section rustc
// writes: bulk memory, non-trapping float-to-int and the rest).
binaryen.setOptimizeLevel(2);
binaryen.setShrinkLevel(2);
for (const file of files) {
  try {
    const module = binaryen.readBinary(fs.readFileSync(file));
    if (!module.validate()) throw new Error("binaryen does not accept the module");
    module.optimize();
    const tmp = file + ".opt";
    fs.writeFileSync(tmp, module.emitBinary());
    module.dispose();
    fs.renameSync(tmp, file);
  } catch (e) {
    console.error(`${file}: ${e && e.message ? e.message : e}`);
    process.exit(1);
  }
}
