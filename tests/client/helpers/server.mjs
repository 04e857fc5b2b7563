// Runs a real stoa binary for one test file: a fresh data directory, a free port on 127.0.0.1, the
// CLI to create users, and a SIGTERM at the end that must make the server exit with status 0.
//
// The binary comes from STOA_BIN (default <repo>/build/stoa). Every child process gets the same
// environment, so users created by `stoa admin create-user` hash their passwords with the cheap
// test cost the server also uses.
import { spawn, execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const stoaBin = process.env.STOA_BIN || path.join(repoRoot, "build", "stoa");

const kStartupTimeoutMs = 20_000;
const kShutdownTimeoutMs = 15_000;
const kOutputKeepChars = 64 * 1024;

// A port the kernel considers free right now. The server binds it a moment later; on a machine
// where other processes grab ports in between, startServer retries with a new one.
async function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function serverEnv(baseUrl) {
  return {
    ...process.env,
    STOA_BASE_URL: baseUrl,
    STOA_SECURITY_PASSWORD_HASH_COST: "minimal",
    STOA_RATE_LIMITS: "off",
    STOA_SERVER_ACCESS_LOG: "false",
  };
}

// A running stoa server. Create it with startServer().
export class StoaServer {
  constructor({ dataDir, port, child, env }) {
    this.dataDir = dataDir;
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
    this.child = child;
    this.env = env;
    this.output = "";
    this.exit = null; // {code, signal} once the process has exited
    this.exited = new Promise((resolve) => {
      child.on("exit", (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    const keep = (chunk) => {
      this.output = (this.output + chunk.toString()).slice(-kOutputKeepChars);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
  }

  // Resolves once GET /health answers 200; rejects if the process exits or the deadline passes.
  async waitUntilHealthy() {
    const deadline = Date.now() + kStartupTimeoutMs;
    while (Date.now() < deadline) {
      if (this.exit) {
        throw new Error(
          `stoa exited during start-up (${JSON.stringify(this.exit)}):\n${this.output}`,
        );
      }
      try {
        const res = await fetch(`${this.url}/health`);
        await res.arrayBuffer();
        if (res.status === 200) return;
      } catch {
        // Not listening yet.
      }
      await sleep(50);
    }
    throw new Error(`stoa did not answer /health within ${kStartupTimeoutMs} ms:\n${this.output}`);
  }

  // Creates a user with `stoa admin create-user` against the same SQLite database. Works while the
  // server runs (WAL lets both processes use the file). Returns the login details.
  async createUser({ username, email, password, role = "member" }) {
    return createUser(this.dataDir, this.env, { username, email, password, role });
  }

  // Sends SIGTERM and resolves with the exit {code, signal}. Rejects unless the process exits with
  // status 0 within the deadline (it is then killed). Safe to call twice.
  async stop() {
    if (!this.stopping) {
      this.stopping = (async () => {
        if (!this.exit) this.child.kill("SIGTERM");
        let timer;
        const deadline = new Promise((resolve) => {
          timer = setTimeout(() => resolve("timeout"), kShutdownTimeoutMs);
        });
        const result = await Promise.race([this.exited, deadline]);
        clearTimeout(timer);
        if (result === "timeout") {
          this.child.kill("SIGKILL");
          await this.exited;
          throw new Error(`stoa did not exit within ${kShutdownTimeoutMs} ms of SIGTERM:\n${this.output}`);
        }
        await rm(this.dataDir, { recursive: true, force: true });
        if (result.code !== 0) {
          throw new Error(`stoa exited with ${JSON.stringify(result)} after SIGTERM:\n${this.output}`);
        }
        return result;
      })();
    }
    return this.stopping;
  }
}

async function createUser(dataDir, env, { username, email, password, role }) {
  const args = ["admin", "create-user", "--data", dataDir, "--username", username, "--email", email,
    "--password", password, "--role", role];
  try {
    await execFileAsync(stoaBin, args, { cwd: repoRoot, env, timeout: 30_000 });
  } catch (error) {
    throw new Error(`stoa admin create-user ${username} failed: ${error.message}\n${error.stderr ?? ""}`);
  }
  return { username, email, password, role };
}

// Starts `stoa serve` on a fresh data directory. `users` are created with the CLI before the server
// starts. Resolves with a healthy StoaServer.
export async function startServer({ users = [] } = {}) {
  const dataDir = await mkdtemp(path.join(tmpdir(), "stoa-client-"));
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const env = serverEnv(`http://127.0.0.1:${port}`);
    for (const user of users) await createUser(dataDir, env, { role: "member", ...user });
    users = []; // created once, even if the server has to be restarted on another port
    const child = spawn(stoaBin, ["serve", "--data", dataDir, "--listen", `127.0.0.1:${port}`], {
      cwd: repoRoot,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const server = new StoaServer({ dataDir, port, child, env });
    const spawned = await new Promise((resolve) => {
      child.once("spawn", () => resolve(null));
      child.once("error", (error) => resolve(error));
    });
    if (spawned) {
      await rm(dataDir, { recursive: true, force: true });
      throw new Error(`cannot run ${stoaBin}: ${spawned.message} (build it or set STOA_BIN)`);
    }
    try {
      await server.waitUntilHealthy();
      return server;
    } catch (error) {
      lastError = error;
      if (!server.exit) {
        child.kill("SIGKILL");
        await server.exited;
      }
      // Retry only when another process took the port.
      if (!/address already in use|bind/i.test(server.output)) break;
    }
  }
  await rm(dataDir, { recursive: true, force: true });
  throw lastError;
}

// A short unique suffix for usernames, so that every test uses fresh accounts.
let counter = 0;
export function uniqueName(prefix) {
  counter += 1;
  return `${prefix}${process.pid % 10000}${counter}`;
}
