// The Docker engine connection (dockerode) and a cheap "is Docker usable here, and if not why" probe.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import type Docker from 'dockerode';

/** The local engine socket: $DOCKER_HOST (unix://…) or /var/run/docker.sock. */
export function dockerSocketPath(): string {
  const host = process.env.DOCKER_HOST;
  return host?.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock';
}

let client: Docker | undefined;

/** The shared dockerode client for the local engine. */
export function dockerClient(): Docker {
  // dockerode is loaded on first use: most processes never need Docker.
  const DockerClient = createRequire(import.meta.url)('dockerode') as typeof Docker;
  client ??= new DockerClient({ socketPath: dockerSocketPath() });
  return client;
}

export type DockerStatus =
  | { available: true; version: string; image?: { name: string; present: boolean } }
  | { available: false; reason: string };

/** Whether a Docker engine answers here (and, optionally, whether `image` exists on it). */
export async function dockerStatus(image?: string, docker: Docker = dockerClient()): Promise<DockerStatus> {
  const socket = dockerSocketPath();
  if (!existsSync(socket)) {
    return { available: false, reason: `no Docker engine socket at ${socket} (start one with scripts/services.d/docker.sh)` };
  }
  try {
    const version = (await docker.version()) as { Version: string };
    if (image === undefined) return { available: true, version: version.Version };
    const present = await docker.getImage(image).inspect().then(() => true, () => false);
    return { available: true, version: version.Version, image: { name: image, present } };
  } catch (error) {
    return { available: false, reason: `the Docker engine at ${socket} does not answer: ${(error as Error).message}` };
  }
}
