// What examples/browser loads as ./vendor/bedrock-edge.js: the package's ESM build, its dependencies bundled in.
export * from "bedrock-edge";
