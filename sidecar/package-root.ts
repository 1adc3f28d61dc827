// The repository's root, for the files that are not beside the code that reads them (the njs bundle
// in dist/njs/, examples/, docs/). This module runs from sidecar/ under tsx, or compiled from
// dist/node/sidecar/ (tsconfig.build.json: same layout under dist/node/).
export const PACKAGE_ROOT = new URL(import.meta.url.endsWith('.ts') ? '../' : '../../../', import.meta.url);
