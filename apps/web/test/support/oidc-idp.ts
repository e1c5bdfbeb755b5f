import crypto from "node:crypto";
import http from "node:http";
import Provider from "oidc-provider";
import { freePort } from "./stack";

export interface IdpUser {
  email: string;
  emailVerified: boolean;
  name: string;
  groups: string[];
}

/**
 * A real OpenID provider (oidc-provider, a certified implementation) on a loopback port, with users in
 * groups. Its login and consent steps finish at once as `signInAs` (a test signs in by choosing who
 * the IdP authenticates), so browsers and plain fetch follow the same redirects a real IdP sends.
 */
export class TestIdp {
  readonly users = new Map<string, IdpUser>();
  /** The subject the next interaction authenticates. */
  signInAs: string | null = null;

  private constructor(
    readonly issuer: string,
    readonly clientId: string,
    readonly clientSecret: string,
    private readonly server: http.Server,
  ) {}

  static async start(redirectUris: string[]): Promise<TestIdp> {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const clientId = "stevedore";
    const clientSecret = crypto.randomBytes(24).toString("base64url");
    // findAccount and the interactions read the users and signInAs of the instance made below.
    const self: { idp?: TestIdp } = {};
    const provider = new Provider(issuer, {
      clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: redirectUris, grant_types: ["authorization_code"], response_types: ["code"] }],
      claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] },
      scopes: ["openid", "email", "profile", "groups"],
      pkce: { required: () => true },
      ttl: { AccessToken: 600, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
      cookies: { keys: [crypto.randomBytes(16).toString("hex")] },
      features: { devInteractions: { enabled: false } },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
      findAccount: (_ctx, sub) => {
        const user = self.idp?.users.get(sub);
        if (!user) return undefined;
        return { accountId: sub, claims: () => ({ sub, email: user.email, email_verified: user.emailVerified, name: user.name, groups: user.groups }) };
      },
    });
    const callback = provider.callback();
    const server = http.createServer((req, res) => {
      if (!req.url?.startsWith("/interaction/")) return void callback(req, res);
      void (async () => {
        const details = await provider.interactionDetails(req, res);
        if (details.prompt.name === "login") {
          if (!self.idp?.signInAs) throw new Error("TestIdp: set signInAs before signing in");
          return provider.interactionFinished(req, res, { login: { accountId: self.idp.signInAs } }, { mergeWithLastSubmission: false });
        }
        const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId: details.session!.accountId, clientId: details.params.client_id as string });
        const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
        if (missing.missingOIDCScope) grant!.addOIDCScope(missing.missingOIDCScope.join(" "));
        if (missing.missingOIDCClaims) grant!.addOIDCClaims(missing.missingOIDCClaims);
        const grantId = await grant!.save();
        return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
      })().catch((err: unknown) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
    self.idp = new TestIdp(issuer, clientId, clientSecret, server);
    return self.idp;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * Plain-HTTP browser stand-in: cookies kept per origin (both servers are on 127.0.0.1, on different
 * ports), redirects followed by hand so a test can see (and alter) each hop.
 */
export class CookieJar {
  private readonly jar = new Map<string, Map<string, string>>();

  header(url: string): string {
    return [...(this.jar.get(new URL(url).origin) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  store(url: string, res: Response): void {
    const origin = new URL(url).origin;
    const cookies = this.jar.get(origin) ?? new Map<string, string>();
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === "";
      if (expired) cookies.delete(name);
      else cookies.set(name, value);
    }
    this.jar.set(origin, cookies);
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(url, { ...init, redirect: "manual", headers: { ...(init.headers as Record<string, string>), cookie: this.header(url) } });
    this.store(url, res);
    return res;
  }
}
