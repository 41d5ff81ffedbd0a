// A real OpenID provider for the tests: npm's oidc-provider (certified OpenID Connect), on
// 127.0.0.1 with a free port, a login page of our own that asks only for an account, and
// open dynamic client registration so each test registers a client with its own redirect URI.
//
//   node tests/oidc/provider.mjs accounts.json
//
// accounts.json: {"<login>": {"claims": {...}, "quirk": "expired" | "wrong_audience",
//                              "acr": "...", "amr": ["pwd", "mfa"]}}
// A quirk makes the provider sign a broken ID token for that account, so the tests can see
// the app refuse one that is expired or meant for another client. Prints "READY <issuer>".
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import Provider from "oidc-provider";

const accounts = JSON.parse(readFileSync(process.argv[2], "utf8"));
const server = createServer();
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: "jwk" }), kid: "test-key", use: "sig", alg: "RS256" };

const provider = new Provider(issuer, {
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString("hex")] },
  claims: {
    // How the person signed in, in every ID token that has it.
    openid: ["sub", "acr", "amr"],
    email: ["email", "email_verified"],
    profile: ["name", "orgnr"],
  },
  features: {
    devInteractions: { enabled: false },
    registration: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.body = `<!doctype html><html lang="nb"><head><title>Logg ut</title></head><body>
          <h1>Logg ut fra testleverandøren?</h1>${form}
          <button type="submit" form="op.logoutForm" name="logout" value="yes">Ja, logg ut</button>
          </body></html>`;
      },
    },
  },
  // First-party clients: no consent page, every requested scope is granted.
  loadExistingGrant: async (ctx) => {
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope("openid email profile");
    await grant.save();
    return grant;
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...account.claims }; } };
  },
  ttl: { Session: 3600, Interaction: 600, Grant: 3600 },
});

// The quirks: the real provider signs the token, only its claims are off.
const issue = provider.IdToken.prototype.issue;
provider.IdToken.prototype.issue = async function (options = {}) {
  const quirk = options.use === "idtoken" ? accounts[this.available.sub]?.quirk : undefined;
  if (quirk === "expired") {
    return issue.call(this, { ...options, expiresAt: Math.floor(Date.now() / 1000) - 3600 });
  }
  if (quirk === "wrong_audience") {
    this.client = Object.create(this.client, { clientId: { value: "en-annen-tjeneste" } });
  }
  return issue.call(this, options);
};

const page = (body) => `<!doctype html><html lang="nb"><head><title>Testleverandør</title></head><body>${body}</body></html>`;

async function readForm(req) {
  let body = "";
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

const callback = provider.callback();
server.on("request", async (req, res) => {
  const match = req.url.match(/^\/interaction\/([\w-]+)(\/login)?$/);
  if (!match) return callback(req, res);
  try {
    const details = await provider.interactionDetails(req, res);
    if (req.method === "GET") {
      res.setHeader("Content-Type", "text/html; charset=utf-8");
      res.end(page(`<h1>Testleverandør</h1>
        <form method="post" action="/interaction/${details.uid}/login">
          <label for="login">Konto</label> <input id="login" name="login" autocomplete="off">
          <button type="submit">Logg inn hos leverandøren</button>
        </form>`));
      return;
    }
    const login = (await readForm(req)).get("login") || "";
    if (!accounts[login]) {
      res.statusCode = 400;
      res.setHeader("Content-Type", "text/html; charset=utf-8");
      res.end(page("<p>Ukjent konto hos leverandøren.</p>"));
      return;
    }
    // How the person signed in at the provider (acr, amr): from the account's entry.
    const { acr, amr } = accounts[login];
    const result = { login: { accountId: login, ...(acr ? { acr } : {}), ...(amr ? { amr } : {}) } };
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  } catch (error) {
    res.statusCode = 500;
    res.end(String(error));
  }
});

console.log(`READY ${issuer}`);
