// Where the rendered conf finds what the gateway installed and generated: runtime dir, njs bundle, TLS files.
export interface RenderPaths {
  runtimeDir: string;
  /** Folder holding the built njs bundle (gateway.js). */
  njsDir: string;
  /** Absolute path of ngx_http_js_module.so, or undefined when nginx has njs built in. */
  jsModule?: string;
  cert: string;
  key: string;
  /** Issuer chain for verifying OCSP responses (ssl_trusted_certificate); unset = the chain in cert. */
  ocspTrusted?: string;
  /** nginx ≥ 1.25.1 (the official image) has the `http2` directive and deprecates `listen … http2`. */
  http2Directive?: boolean;
}
