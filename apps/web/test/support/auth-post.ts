/** A better-auth endpoint over real HTTP, as a browser calls it: its status, body, and the cookie to go on with (a rotated session replaces the old). */
export async function authPost(url: string, path: string, cookie: string, body: unknown) {
  const res = await fetch(`${url}/api/auth${path}`, { method: "POST", headers: { "content-type": "application/json", origin: url, cookie }, body: JSON.stringify(body) });
  const set = res.headers.getSetCookie().map((c) => c.split(";")[0]!);
  const jar = new Map(cookie.split("; ").filter(Boolean).map((c) => [c.split("=")[0]!, c] as const));
  for (const c of set) {
    const [name, value] = [c.split("=")[0]!, c.slice(c.indexOf("=") + 1)];
    if (value) jar.set(name, c);
    else jar.delete(name);
  }
  return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> | null, cookie: [...jar.values()].join("; ") };
}
