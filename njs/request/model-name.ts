// Model names as Ollama compares them. Pure: used by njs (key policies), the renderer and the sidecar.

/** Ollama treats "llama3" and "llama3:latest" as one model. */
export function canonicalModel(name: string): string {
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  return (lastSegment.indexOf(':') >= 0 ? name : name + ':latest').toLowerCase();
}
