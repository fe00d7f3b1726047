// Docker isolation for script runtimes: locked-down long-lived containers driven over stdin/stdout.
export { dockerClient, dockerSocketPath, dockerStatus, type DockerStatus } from './client.ts';
export { startContainer, FIFO_PATHS, OWNER_LABEL, type ContainerExit, type ContainerProcess, type ContainerSpec } from './container.ts';

/** The image `script/docker/build-image.sh` builds: this machine's CPython, nothing else. */
export const DEFAULT_PYTHON_IMAGE = 'actorflow/python:local';
