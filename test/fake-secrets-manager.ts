import { IncomingMessage, Server, ServerResponse, createServer } from "node:http";
import { AddressInfo } from "node:net";
import { checkSignature } from "./sigv4";

/*
 * A local AWS Secrets Manager that implements exactly the call the database setup makes
 * (GetSecretValue), and checks each request as AWS would: the method and path, the JSON
 * protocol's headers, the body, and a Signature Version 4 signature made with the test's
 * credentials. It can throttle the first requests, never answer, or refuse the key.
 */

export const TEST_CREDENTIALS = { accessKeyId: "AKIDCLOUDTIERSTEST01", secretAccessKey: "cloudtiers-test-secret-key/0123456789", region: "eu-west-1" };

export interface FakeSecretsManager {
  readonly url: string;
  /** Every request: its method, path, target, secret id, and whether its signature was right. */
  readonly requests: { method: string; path: string; target: string; secretId?: string; signed: boolean }[];
  /** The next `n` requests are throttled (HTTP 400 ThrottlingException). */
  throttle(n: number): void;
  /** Requests are held and never answered. */
  hang(): void;
  close(): Promise<void>;
}

/** Whether a request carries a valid SigV4 signature of `secretAccessKey` for Secrets Manager. */
function signatureValid(req: IncomingMessage, body: string, secretAccessKey: string): boolean {
  const signature = checkSignature({ method: req.method ?? "", url: req.url ?? "/", headers: req.headers, body }, secretAccessKey);
  return signature?.service === "secretsmanager" && signature.valid;
}

/** Serves `secrets` (ARN → SecretString) on 127.0.0.1. */
export async function fakeSecretsManager(secrets: Readonly<Record<string, string>>): Promise<FakeSecretsManager> {
  const requests: FakeSecretsManager["requests"] = [];
  let throttled = 0;
  let hanging = false;
  const held: ServerResponse[] = [];
  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      const signed = signatureValid(req, body, TEST_CREDENTIALS.secretAccessKey);
      let secretId: string | undefined;
      try {
        secretId = JSON.parse(body).SecretId;
      } catch {
        secretId = undefined;
      }
      requests.push({ method: req.method ?? "", path: req.url ?? "", target, secretId, signed });
      if (hanging) return void held.push(res);
      if (req.method !== "POST" || req.url !== "/" || target !== "secretsmanager.GetSecretValue" || !String(req.headers["content-type"]).startsWith("application/x-amz-json-1.1")) {
        return answer(res, 400, { __type: "UnknownOperationException", message: `no such call: ${req.method} ${req.url} ${target}` });
      }
      if (!signed) return answer(res, 400, { __type: "UnrecognizedClientException", message: "The security token included in the request is invalid." });
      if (throttled > 0) {
        throttled -= 1;
        return answer(res, 400, { __type: "ThrottlingException", message: "Rate exceeded" });
      }
      if (!secretId || !(secretId in secrets)) return answer(res, 400, { __type: "ResourceNotFoundException", message: "Secrets Manager can't find the specified secret." });
      answer(res, 200, { ARN: secretId, Name: secretId.split(":").pop(), SecretString: secrets[secretId], VersionId: "v1", VersionStages: ["AWSCURRENT"], CreatedDate: 1700000000 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    throttle: (n) => (throttled = n),
    hang: () => (hanging = true),
    close: () =>
      new Promise((resolve) => {
        held.forEach((r) => r.destroy());
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The environment a Lambda function's code sees, for the fake's URL and the test's credentials. */
export function lambdaEnvironment(url: string, credentials = TEST_CREDENTIALS): Record<string, string> {
  return {
    AWS_REGION: credentials.region,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: url,
  };
}
