"use strict";
/*
 * cloudtiers' database setup on AWS: a Lambda function (Node.js) in the VPC's private
 * subnets that Terraform invokes once per change (`aws_lambda_invocation`). It reads the
 * RDS master user's and the application role's logins from Secrets Manager with its own
 * role, connects to the primary over TLS as the master user and runs the setup SQL the
 * stack gives it (`CREATE_ROLE_SQL`, then the role's password, then `OWNER_SQL`). It
 * throws on any failure, which fails the apply.
 *
 * The function depends on nothing but Node.js and the AWS SDK for JavaScript v3 that the
 * Lambda runtime includes: PostgreSQL's wire protocol (startup, TLS, SCRAM-SHA-256, simple
 * queries) is spoken here. The role's password is sent as a SCRAM verifier, never in
 * clear, so it appears in no server log. Nothing secret is logged or returned.
 */
const crypto = require("node:crypto");
const net = require("node:net");
const tls = require("node:tls");

/** PostgreSQL's protocol version 3.0, and the code of an SSLRequest. */
const PROTOCOL = 196608;
const SSL_REQUEST = 80877103;

/** One frontend message: a type byte (none for startup messages), its length, its body. */
function message(type, body) {
  const length = Buffer.alloc(4);
  length.writeInt32BE(body.length + 4);
  return type ? Buffer.concat([Buffer.from(type), length, body]) : Buffer.concat([length, body]);
}

function cstring(text) {
  return Buffer.from(`${text}\0`, "utf8");
}

function int32(value) {
  const b = Buffer.alloc(4);
  b.writeInt32BE(value);
  return b;
}

/** The fields of an ErrorResponse or NoticeResponse, by their one-letter code. */
function fields(body) {
  const out = {};
  let at = 0;
  while (at < body.length && body[at] !== 0) {
    const code = String.fromCharCode(body[at]);
    const end = body.indexOf(0, at + 1);
    out[code] = body.toString("utf8", at + 1, end);
    at = end + 1;
  }
  return out;
}

/** A PostgreSQL error, with its SQLSTATE. */
class PostgresError extends Error {
  constructor(f) {
    super(`${f.S || "ERROR"}: ${f.M}${f.D ? ` (${f.D})` : ""} [SQLSTATE ${f.C}]`);
    this.code = f.C;
  }
}

/** Reads whole backend messages off a socket, one at a time. */
class Reader {
  constructor(socket) {
    this.buffer = Buffer.alloc(0);
    this.waiting = [];
    this.failure = undefined;
    socket.on("data", (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    socket.on("error", (e) => this.fail(e));
    socket.on("close", () => this.fail(new Error("the server closed the connection")));
  }

  fail(error) {
    if (!this.failure) this.failure = error;
    this.wake();
  }

  wake() {
    const waiting = this.waiting;
    this.waiting = [];
    waiting.forEach((w) => w());
  }

  /** The next message: `{ type, body }`. */
  async next() {
    for (;;) {
      if (this.buffer.length >= 5) {
        const length = this.buffer.readInt32BE(1);
        if (this.buffer.length >= length + 1) {
          const type = String.fromCharCode(this.buffer[0]);
          const body = this.buffer.subarray(5, length + 1);
          this.buffer = this.buffer.subarray(length + 1);
          return { type, body };
        }
      }
      if (this.failure) throw this.failure;
      await new Promise((resolve) => this.waiting.push(resolve));
    }
  }
}

/** PBKDF2 of SCRAM's "Hi()", HMAC and SHA-256 (RFC 5802, RFC 7677). */
const hmac = (key, text) => crypto.createHmac("sha256", key).update(text).digest();
const sha256 = (data) => crypto.createHash("sha256").update(data).digest();

/** SCRAM-SHA-256 as a client, over `send` and `reader`: proves the password, and checks the server knows it too. */
async function scram(password, send, reader, mechanisms) {
  if (!mechanisms.includes("SCRAM-SHA-256")) throw new Error(`the server offers ${mechanisms.join(", ")}, not SCRAM-SHA-256`);
  const clientNonce = crypto.randomBytes(18).toString("base64");
  const clientFirstBare = `n=,r=${clientNonce}`;
  const first = Buffer.from(`n,,${clientFirstBare}`);
  send(message("p", Buffer.concat([cstring("SCRAM-SHA-256"), int32(first.length), first])));
  const cont = await authentication(reader, 11);
  const serverFirst = cont.toString("utf8");
  const attributes = Object.fromEntries(serverFirst.split(",").map((p) => [p[0], p.slice(2)]));
  if (!attributes.r || !attributes.r.startsWith(clientNonce)) throw new Error("the server's SCRAM nonce does not extend ours");
  const salted = crypto.pbkdf2Sync(password, Buffer.from(attributes.s, "base64"), Number(attributes.i), 32, "sha256");
  const clientKey = hmac(salted, "Client Key");
  const withoutProof = `c=biws,r=${attributes.r}`;
  const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
  const signature = hmac(sha256(clientKey), authMessage);
  const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]));
  send(message("p", Buffer.from(`${withoutProof},p=${proof.toString("base64")}`)));
  const final = (await authentication(reader, 12)).toString("utf8");
  const expected = hmac(hmac(salted, "Server Key"), authMessage).toString("base64");
  if (final !== `v=${expected}`) throw new Error("the server's SCRAM signature is wrong: it does not know the password");
}

/** The next Authentication message, which must have `code`; returns its data. */
async function authentication(reader, code) {
  for (;;) {
    const { type, body } = await reader.next();
    if (type === "E") throw new PostgresError(fields(body));
    if (type !== "R") throw new Error(`expected an authentication message, got "${type}"`);
    const got = body.readInt32BE(0);
    if (got !== code) throw new Error(`expected authentication step ${code}, got ${got}`);
    return body.subarray(4);
  }
}

/**
 * A connection to PostgreSQL over TLS (the server's certificate is not verified, as with
 * libpq's `sslmode=require`: the password proof is SCRAM's, which a man in the middle
 * cannot replay). Password authentication by SCRAM-SHA-256, MD5 or clear text, as the
 * server asks.
 */
async function connect({ host, port, user, password, database, timeoutMs = 30000 }) {
  const plain = net.connect({ host, port });
  plain.setTimeout(timeoutMs, () => plain.destroy(new Error(`no answer from ${host}:${port} within ${timeoutMs} ms`)));
  await new Promise((resolve, reject) => {
    plain.once("connect", resolve);
    plain.once("error", reject);
  });
  plain.write(Buffer.concat([int32(8), int32(SSL_REQUEST)]));
  const answer = await new Promise((resolve, reject) => {
    plain.once("data", (d) => resolve(String.fromCharCode(d[0])));
    plain.once("error", reject);
  });
  if (answer !== "S") throw new Error(`${host}:${port} refuses TLS`);
  const socket = tls.connect({ socket: plain, servername: net.isIP(host) ? undefined : host, rejectUnauthorized: false });
  await new Promise((resolve, reject) => {
    socket.once("secureConnect", resolve);
    socket.once("error", reject);
  });
  const reader = new Reader(socket);
  const send = (data) => socket.write(data);
  const parameters = Buffer.concat([cstring("user"), cstring(user), cstring("database"), cstring(database), cstring("application_name"), cstring("cloudtiers-database-setup"), Buffer.from([0])]);
  send(message(undefined, Buffer.concat([int32(PROTOCOL), parameters])));
  const server = {};
  for (;;) {
    const { type, body } = await reader.next();
    if (type === "E") throw new PostgresError(fields(body));
    if (type === "R") {
      const code = body.readInt32BE(0);
      if (code === 3) send(message("p", cstring(password)));
      else if (code === 5) {
        const inner = crypto.createHash("md5").update(password + user).digest("hex");
        send(message("p", cstring(`md5${crypto.createHash("md5").update(inner).update(body.subarray(4, 8)).digest("hex")}`)));
      } else if (code === 10) {
        await scram(password, send, reader, body.toString("utf8", 4).split("\0").filter((m) => m !== ""));
      } else if (code !== 0) throw new Error(`unsupported authentication method ${code}`);
    } else if (type === "S") {
      const [name, value] = body.toString("utf8").split("\0");
      server[name] = value;
    } else if (type === "Z") break;
  }
  plain.setTimeout(0);
  return {
    server,
    /** Runs `sql` (one or more statements); resolves with the server's notices, rejects on its error. */
    async query(sql) {
      send(message("Q", cstring(sql)));
      const notices = [];
      let error;
      for (;;) {
        const { type, body } = await reader.next();
        if (type === "E") error = new PostgresError(fields(body));
        else if (type === "N") notices.push(fields(body).M);
        else if (type === "Z") break;
      }
      if (error) throw error;
      return { notices };
    },
    end() {
      socket.end(message("X", Buffer.alloc(0)));
    },
  };
}

/** A password as PostgreSQL stores it: `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`. */
function scramVerifier(password, iterations = 4096) {
  const salt = crypto.randomBytes(16);
  const salted = crypto.pbkdf2Sync(password, salt, iterations, 32, "sha256");
  const storedKey = sha256(hmac(salted, "Client Key")).toString("base64");
  const serverKey = hmac(salted, "Server Key").toString("base64");
  return `SCRAM-SHA-256$${iterations}:${salt.toString("base64")}$${storedKey}:${serverKey}`;
}

/** A login kept in Secrets Manager as `{"username", "password"}`. */
async function login(client, GetSecretValueCommand, arn) {
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  const value = JSON.parse(SecretString);
  if (typeof value.username !== "string" || typeof value.password !== "string") throw new Error(`${arn} holds no username and password`);
  return value;
}

/** What the setup needs, from the function's environment. */
function settings(env) {
  const names = ["DB_HOST", "DB_PORT", "DB_NAME", "APP_ROLE", "MASTER_SECRET_ARN", "APP_SECRET_ARN", "CREATE_ROLE_SQL", "OWNER_SQL"];
  const missing = names.filter((n) => !env[n]);
  if (missing.length > 0) throw new Error(`the function's environment lacks ${missing.join(", ")}`);
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(env.APP_ROLE)) throw new Error(`APP_ROLE must be a lower-case identifier, got ${JSON.stringify(env.APP_ROLE)}`);
  return env;
}

/** Creates the application's role if needed, sets its password, and makes it the owner of its database. */
async function setup(env = process.env) {
  const s = settings(env);
  const { SecretsManagerClient, GetSecretValueCommand } = require("@aws-sdk/client-secrets-manager");
  // Bounded: a Secrets Manager that does not answer fails the setup, not the Lambda's own timeout.
  const timeout = Number(s.SECRETS_TIMEOUT_MS || 10000);
  const client = new SecretsManagerClient({ maxAttempts: 5, requestHandler: { connectionTimeout: timeout, requestTimeout: timeout, throwOnRequestTimeout: true } });
  const master = await login(client, GetSecretValueCommand, s.MASTER_SECRET_ARN);
  const app = await login(client, GetSecretValueCommand, s.APP_SECRET_ARN);
  if (app.username !== s.APP_ROLE) throw new Error(`${s.APP_SECRET_ARN} is the login of "${app.username}", not of ${s.APP_ROLE}`);
  const connection = await connect({ host: s.DB_HOST, port: Number(s.DB_PORT), database: s.DB_NAME, user: master.username, password: master.password });
  try {
    const notices = [];
    notices.push(...(await connection.query(s.CREATE_ROLE_SQL)).notices);
    notices.push(...(await connection.query(`ALTER ROLE ${s.APP_ROLE} PASSWORD '${scramVerifier(app.password)}'`)).notices);
    notices.push(...(await connection.query(s.OWNER_SQL)).notices);
    for (const notice of notices) console.log(notice);
    return { role: s.APP_ROLE, database: s.DB_NAME, server: connection.server.server_version, notices };
  } finally {
    connection.end();
  }
}

exports.handler = async () => setup();
exports.setup = setup;
exports.connect = connect;
exports.scramVerifier = scramVerifier;
