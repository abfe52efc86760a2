/** Fetches a file bundled with the app (same origin, allowed by the CSP) as a File. */
export async function bundledFile(path: string): Promise<File> {
  const res = await fetch(`${import.meta.env.BASE_URL}${path}`);
  if (!res.ok) throw new Error(`bundled file ${path} is missing (${res.status})`);
  return new File([await res.blob()], path.split('/').pop() ?? path);
}
