// Model names as Ollama compares them. Pure: used by njs (key policies), the renderer and the sidecar.

/**
 * A model name the gateway accepts in its config and from a backend's listing ("llama3.2:1b",
 * "library/x:latest", "hf.co/org/model:Q4_K_M"): such names are written into the nginx conf.
 */
export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._:\/-]{0,199}$/;

/** Ollama treats "llama3" and "llama3:latest" as one model. */
export function canonicalModel(name: string): string {
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  return (lastSegment.indexOf(':') >= 0 ? name : name + ':latest').toLowerCase();
}
