/**
 * Fetches a file bundled with the app (same origin, allowed by the CSP) as a File. Lives in state/ so
 * both the screens and the demo loader (state/demo.ts) use it.
 */
export async function bundledFile(path: string, hint?: string): Promise<File> {
  const res = await fetch(`${import.meta.env.BASE_URL}${path}`);
  if (!res.ok) throw new Error(`bundled file ${path} is missing (${res.status})${hint ? `; ${hint}` : ''}`);
  return new File([await res.blob()], path.split('/').pop() ?? path);
}
